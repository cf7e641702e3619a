import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MultiClusterService } from '../../../webhook/api.ts';
import { formatFieldError } from '../../../webhook/go-render/field-errors.ts';
import { validateCreate, validateUpdate } from '../../../webhook/rules/validate-rules.ts';
import { DNS1035_LABEL_MSG, DNS1123_LABEL_MSG, mcs } from './fixtures.ts';

const FORTY_NINE = 'a'.repeat(49);

const createCases: { name: string; object: MultiClusterService; errors: string[] }[] = [
  { name: "accepts the seed's MultiClusterService", object: mcs(), errors: [] },
  {
    name: 'accepts named and unnamed ports with distinct names',
    object: mcs({
      ports: [{ name: 'http', port: 80 }, { port: 8080 }, { port: 9090 }],
    }),
    errors: [],
  },
  {
    name: 'accepts a 48-character cluster name, the longest Karmada allows',
    object: mcs({ providerClusters: [{ name: 'a'.repeat(48) }] }),
    errors: [],
  },
  {
    name: 'accepts empty provider and consumer lists, meaning all clusters',
    object: mcs({ providerClusters: [], consumerClusters: [] }),
    errors: [],
  },
  {
    name: 'accepts the same type listed twice',
    object: mcs({ types: ['CrossCluster', 'CrossCluster'] }),
    errors: [],
  },
  {
    name: 'refuses a name that is not a DNS-1035 label',
    object: mcs({}, '1nginx'),
    errors: [`metadata.name: Invalid value: "1nginx": ${DNS1035_LABEL_MSG}`],
  },
  {
    name: 'refuses a name longer than 63 characters',
    object: mcs({}, `n${'x'.repeat(63)}`),
    errors: [`metadata.name: Invalid value: "n${'x'.repeat(63)}": must be no more than 63 characters`],
  },
  {
    name: 'accepts a generateName prefix that ends in a dash',
    object: { ...mcs(), metadata: { name: 'nginx-x7k2p', generateName: 'nginx-' } },
    errors: [],
  },
  {
    name: 'refuses a generateName prefix that starts with a digit',
    object: { ...mcs(), metadata: { name: 'a', generateName: '1nginx-' } },
    errors: [`metadata.generateName: Invalid value: "1nginx-": ${DNS1035_LABEL_MSG}`],
  },
  {
    name: 'refuses an object without a name',
    object: { metadata: { namespace: 'default' }, spec: { types: ['CrossCluster'] } },
    errors: ['metadata.name: Required value: name or generateName is required'],
  },
  {
    name: 'refuses a duplicate port name at the second occurrence',
    object: mcs({
      ports: [
        { name: 'http', port: 80 },
        { name: 'http', port: 81 },
      ],
    }),
    errors: ['spec.ports[1].name: Duplicate value: "http"'],
  },
  {
    name: 'refuses a port name that is not a DNS-1123 label',
    object: mcs({ ports: [{ name: 'HTTP', port: 80 }] }),
    errors: [`spec.ports[0].name: Invalid value: "HTTP": ${DNS1123_LABEL_MSG}`],
  },
  {
    name: 'refuses a port name with dots with the shorter reason',
    object: mcs({ ports: [{ name: 'foo.withdot', port: 80 }] }),
    errors: ['spec.ports[0].name: Invalid value: "foo.withdot": must not contain dots'],
  },
  {
    name: 'refuses port 0',
    object: mcs({ ports: [{ port: 0 }] }),
    errors: ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'],
  },
  {
    name: 'refuses port 163121 as Karmada’s own test does',
    object: mcs({ ports: [{ name: 'foo', port: 163121 }] }),
    errors: ['spec.ports[0].port: Invalid value: 163121: must be between 1 and 65535, inclusive'],
  },
  {
    name: 'refuses an unknown type with Karmada’s message',
    object: mcs({ types: ['NodePort'] }),
    errors: ['spec.types[0]: Invalid value: "NodePort": ExposureType Error'],
  },
  {
    name: 'refuses an empty type',
    object: mcs({ types: [''] }),
    errors: ['spec.types[0]: Invalid value: "": ExposureType Error'],
  },
  {
    name: 'refuses two distinct types',
    object: mcs({ types: ['LoadBalancer', 'CrossCluster'] }),
    errors: [
      'spec.types: Invalid value: ["LoadBalancer","CrossCluster"]: MultiClusterService types should not contain more than one type',
    ],
  },
  {
    name: 'refuses a 49-character provider cluster name',
    object: mcs({ providerClusters: [{ name: FORTY_NINE }] }),
    errors: [
      `spec.providerClusters[0].name: Invalid value: "${FORTY_NINE}": must be no more than 48 characters`,
    ],
  },
  {
    name: 'refuses an empty consumer cluster name',
    object: mcs({ consumerClusters: [{ name: 'member2' }, { name: '' }] }),
    errors: ['spec.consumerClusters[1].name: Invalid value: "": must be not empty'],
  },
  {
    name: 'refuses a consumer cluster name in capitals',
    object: mcs({ consumerClusters: [{ name: 'Member2' }] }),
    errors: [`spec.consumerClusters[0].name: Invalid value: "Member2": ${DNS1123_LABEL_MSG}`],
  },
  {
    name: 'reports every error at once, in field order',
    object: mcs(
      {
        types: ['CrossCluster', 'LoadBalancer'],
        ports: [
          { name: 'http', port: 80 },
          { name: 'http', port: 70000 },
        ],
        providerClusters: [{ name: FORTY_NINE }],
        consumerClusters: [{ name: 'a_b' }],
      },
      'Bad',
    ),
    errors: [
      `metadata.name: Invalid value: "Bad": ${DNS1035_LABEL_MSG}`,
      'spec.ports[1].name: Duplicate value: "http"',
      'spec.ports[1].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.types: Invalid value: ["CrossCluster","LoadBalancer"]: MultiClusterService types should not contain more than one type',
      `spec.providerClusters[0].name: Invalid value: "${FORTY_NINE}": must be no more than 48 characters`,
      `spec.consumerClusters[0].name: Invalid value: "a_b": ${DNS1123_LABEL_MSG}`,
    ],
  },
];

describe('validation of a new MultiClusterService', () => {
  for (const c of createCases) {
    it(c.name, () => {
      assert.deepEqual(validateCreate(c.object).map(formatFieldError), c.errors);
    });
  }
});

const updateCases: { name: string; old: MultiClusterService; new: MultiClusterService; errors: string[] }[] =
  [
    {
      name: 'accepts an update that keeps the types',
      old: mcs(),
      new: mcs({ ports: [{ port: 80 }] }),
      errors: [],
    },
    {
      name: 'refuses an update that changes the types, showing the old ones',
      old: mcs(),
      new: mcs({ types: ['LoadBalancer'] }),
      errors: ['spec.types: Invalid value: ["CrossCluster"]: MultiClusterService types are immutable'],
    },
    {
      name: 'accepts a reorder of the same types as no change',
      old: mcs({ types: ['CrossCluster', 'CrossCluster'] }),
      new: mcs({ types: ['CrossCluster'] }),
      errors: [],
    },
    {
      name: 'treats stored empty types as the CrossCluster our defaulting fills in',
      old: mcs({ types: [] }),
      new: mcs({ types: ['CrossCluster'] }),
      errors: [],
    },
    {
      name: 'still applies the spec rules to a changed spec',
      old: mcs(),
      new: mcs({ ports: [{ port: 0 }] }),
      errors: ['spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive'],
    },
    {
      name: 'reports a type change and a spec error together',
      old: mcs(),
      new: mcs({ types: ['LoadBalancer'], consumerClusters: [{ name: '' }] }),
      errors: [
        'spec.types: Invalid value: ["CrossCluster"]: MultiClusterService types are immutable',
        'spec.consumerClusters[0].name: Invalid value: "": must be not empty',
      ],
    },
    {
      name: 'counts our conversion of the deprecated fields of an object stored under Karmada as no change',
      old: mcs({
        providerClusters: [{ name: FORTY_NINE }],
        range: {},
        serviceConsumptionClusters: ['member2'],
      }),
      new: mcs({ providerClusters: [{ name: FORTY_NINE }], consumerClusters: [{ name: 'member2' }] }),
      errors: [],
    },
    {
      name: 'still validates a spec whose change is more than our conversion',
      old: mcs({ providerClusters: [{ name: FORTY_NINE }], range: {} }),
      new: mcs({ providerClusters: [{ name: FORTY_NINE }], ports: [{ port: 80 }] }),
      errors: [
        `spec.providerClusters[0].name: Invalid value: "${FORTY_NINE}": must be no more than 48 characters`,
      ],
    },
    {
      name: 'lets an unchanged spec through even if it breaks a rule, so finalizers and labels can change',
      old: mcs({ providerClusters: [{ name: FORTY_NINE }] }),
      new: mcs({ providerClusters: [{ name: FORTY_NINE }] }),
      errors: [],
    },
  ];

describe('validation of an update', () => {
  for (const c of updateCases) {
    it(c.name, () => {
      assert.deepEqual(validateUpdate(c.old, c.new).map(formatFieldError), c.errors);
    });
  }
});
