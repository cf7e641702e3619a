import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canBeClusterName } from '../../../lib/cluster-name.ts';
import type { MultiClusterServiceSpec } from '../../../webhook/api.ts';
import {
  type ClusterListField,
  type Handling,
  readDeprecated,
} from '../../../webhook/rules/deprecated-clusters.ts';
import { validateClusterName } from '../../../webhook/rules/validate-names.ts';
import { DNS1123_LABEL_MSG } from './fixtures.ts';

const FORTY_NINE = 'a'.repeat(49);

const cases: {
  name: string;
  spec: MultiClusterServiceSpec;
  field: ClusterListField;
  handling: Handling;
  names: string[];
  warnings: string[];
}[] = [
  {
    name: 'range.clusterNames converted says Karmada served every cluster and mcs-bridge serves only the listed ones',
    spec: { range: { clusterNames: ['member2', 'member3'] } },
    field: 'consumerClusters',
    handling: 'converted',
    names: ['member2', 'member3'],
    warnings: [
      'spec.range.clusterNames is deprecated and Karmada ignores it: Karmada served this MultiClusterService to every cluster, but mcs-bridge moved its names into spec.consumerClusters and serves it only to "member2", "member3" (to serve every cluster again, remove spec.consumerClusters)',
    ],
  },
  {
    name: 'range.clusterNames read in place says the same without claiming a conversion',
    spec: { range: { clusterNames: ['member2'] } },
    field: 'consumerClusters',
    handling: 'read in place',
    names: ['member2'],
    warnings: [
      'spec.range.clusterNames is deprecated and was not converted (is the mutating webhook registered?); Karmada ignores it and served this MultiClusterService to every cluster, but mcs-bridge reads it as spec.consumerClusters and serves it only to "member2"',
    ],
  },
  {
    name: 'serviceProvisionClusters converted says Karmada collected from every cluster',
    spec: { serviceProvisionClusters: ['member1'] },
    field: 'providerClusters',
    handling: 'converted',
    names: ['member1'],
    warnings: [
      `spec.serviceProvisionClusters is deprecated and Karmada ignores it: Karmada collected this Service's endpoints from every cluster, but mcs-bridge moved its names into spec.providerClusters and collects them only from "member1" (to collect from every cluster again, remove spec.providerClusters)`,
    ],
  },
  {
    name: 'a 49-character name is left out with a warning naming the field and the value, never refused',
    spec: { serviceConsumptionClusters: [FORTY_NINE, 'member2'] },
    field: 'consumerClusters',
    handling: 'converted',
    names: ['member2'],
    warnings: [
      'spec.serviceConsumptionClusters is deprecated and Karmada ignores it: Karmada served this MultiClusterService to every cluster, but mcs-bridge moved its names into spec.consumerClusters and serves it only to "member2" (to serve every cluster again, remove spec.consumerClusters)',
      `spec.serviceConsumptionClusters[0]: "${FORTY_NINE}" cannot be a cluster's name (must be no more than 48 characters), so mcs-bridge leaves it out`,
    ],
  },
  {
    name: 'a name with a control character is quoted as Go quotes it, so the API server keeps the warning',
    spec: { serviceProvisionClusters: ['h\x01'] },
    field: 'providerClusters',
    handling: 'converted',
    names: [],
    warnings: [
      "spec.serviceProvisionClusters is deprecated and was removed: none of its names can be a cluster's, so spec.providerClusters stays empty and every cluster provides, as under Karmada",
      `spec.serviceProvisionClusters[0]: "h\\x01" cannot be a cluster's name (${DNS1123_LABEL_MSG}), so mcs-bridge leaves it out`,
    ],
  },
  {
    name: 'a null name, which Karmada reads as "", is left out as an empty name',
    spec: { range: { clusterNames: [null] } },
    field: 'consumerClusters',
    handling: 'read in place',
    names: [],
    warnings: [
      "spec.range.clusterNames is deprecated and was not converted (is the mutating webhook registered?): none of its names can be a cluster's, so every cluster consumes, as under Karmada",
      "spec.range.clusterNames[0]: null cannot be a cluster's name (must be not empty), so mcs-bridge leaves it out",
    ],
  },
  {
    name: 'both deprecated consumer fields give one list, named together',
    spec: { serviceConsumptionClusters: ['member2'], range: { clusterNames: ['member3', 'member2'] } },
    field: 'consumerClusters',
    handling: 'converted',
    names: ['member2', 'member3', 'member2'],
    warnings: [
      'spec.serviceConsumptionClusters and spec.range.clusterNames are deprecated and Karmada ignores them: Karmada served this MultiClusterService to every cluster, but mcs-bridge moved their names into spec.consumerClusters and serves it only to "member2", "member3" (to serve every cluster again, remove spec.consumerClusters)',
    ],
  },
  {
    name: 'a deprecated field that gives no name beside one that does is only warned about for its names',
    spec: { serviceConsumptionClusters: [''], range: { clusterNames: ['member3'] } },
    field: 'consumerClusters',
    handling: 'converted',
    names: ['member3'],
    warnings: [
      'spec.range.clusterNames is deprecated and Karmada ignores it: Karmada served this MultiClusterService to every cluster, but mcs-bridge moved its names into spec.consumerClusters and serves it only to "member3" (to serve every cluster again, remove spec.consumerClusters)',
      `spec.serviceConsumptionClusters[0]: "" cannot be a cluster's name (must be not empty), so mcs-bridge leaves it out`,
    ],
  },
  {
    name: 'a set list takes precedence and reads nothing, as in Karmada',
    spec: { providerClusters: [{ name: 'member1' }], serviceProvisionClusters: [FORTY_NINE] },
    field: 'providerClusters',
    handling: 'converted',
    names: [],
    warnings: [
      'spec.serviceProvisionClusters is deprecated and was removed: spec.providerClusters is set and takes precedence',
    ],
  },
  {
    name: 'empty deprecated fields, as Karmada’s webhook writes range: {}, say nothing',
    spec: { range: {}, serviceProvisionClusters: [] },
    field: 'consumerClusters',
    handling: 'read in place',
    names: [],
    warnings: [],
  },
];

describe('reading the deprecated cluster fields', () => {
  for (const c of cases) {
    it(c.name, () => {
      const reading = readDeprecated(c.spec, c.field, c.handling);
      assert.deepEqual(reading.names, c.names);
      assert.deepEqual(reading.warnings, c.warnings);
    });
  }

  it('names ten unusable names and counts the rest', () => {
    const { warnings } = readDeprecated(
      { serviceProvisionClusters: Array(1000).fill('A') },
      'providerClusters',
      'converted',
    );
    assert.equal(warnings.length, 1 + 10 + 1);
    assert.equal(
      warnings.at(-1),
      "spec.serviceProvisionClusters: 990 more names that cannot be a cluster's are left out",
    );
  });

  it('quotes ten names in the narrowing warning and counts the rest', () => {
    const names = Array.from({ length: 12 }, (_, i) => `m${i}`);
    const [warning] = readDeprecated(
      { range: { clusterNames: names } },
      'consumerClusters',
      'converted',
    ).warnings;
    assert.match(warning ?? '', /serves it only to "m0", "m1", .*"m9" and 2 more \(to serve/);
  });
});

describe('which names can be a cluster’s', () => {
  const names = [
    'member1',
    'a'.repeat(48),
    FORTY_NINE,
    '',
    'Member1',
    'a_b',
    'a.b',
    '-a',
    'a-',
    '1',
    'é',
    null,
    7,
  ];
  for (const name of names) {
    it(`agrees with the webhook's cluster-name rule on ${JSON.stringify(name)}`, () => {
      const webhook = typeof name === 'string' && validateClusterName(name).length === 0;
      assert.equal(canBeClusterName(name), webhook);
    });
  }
});
