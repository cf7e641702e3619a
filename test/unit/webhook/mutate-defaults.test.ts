import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MultiClusterService } from '../../../webhook/api.ts';
import { defaultMultiClusterService } from '../../../webhook/rules/mutate-defaults.ts';
import { applyPatch, DNS1123_LABEL_MSG, mcs } from './fixtures.ts';

const ID = '0b5e9d54-6a1e-4a5b-9f4c-1d2e3f4a5b6c';
const LABEL = 'multiclusterservice.karmada.io/permanent-id';
const FORTY_NINE = 'a'.repeat(49);

/** The seed's object with the permanent-id label already set. */
function labelled(spec: MultiClusterService['spec'] = {}): MultiClusterService {
  const object = mcs(spec);
  return { ...object, metadata: { ...object.metadata, labels: { [LABEL]: 'existing' } } };
}

const cases: {
  name: string;
  object: MultiClusterService;
  patch: unknown[];
  warnings?: string[];
  spec?: unknown;
}[] = [
  {
    name: 'adds the permanent-id label, creating the labels map when there is none',
    object: mcs(),
    patch: [{ op: 'add', path: '/metadata/labels', value: { [LABEL]: ID } }],
  },
  {
    name: 'adds the permanent-id label beside existing labels, escaping the slash',
    object: { ...mcs(), metadata: { name: 'nginx', labels: { app: 'nginx' } } },
    patch: [{ op: 'add', path: '/metadata/labels/multiclusterservice.karmada.io~1permanent-id', value: ID }],
  },
  {
    name: 'replaces an empty permanent-id, which Karmada treats as missing',
    object: { ...mcs(), metadata: { name: 'nginx', labels: { [LABEL]: '' } } },
    patch: [{ op: 'add', path: '/metadata/labels/multiclusterservice.karmada.io~1permanent-id', value: ID }],
  },
  { name: 'changes nothing when everything is already in place', object: labelled(), patch: [] },
  {
    name: 'defaults missing types to CrossCluster',
    object: labelled({ types: undefined }),
    patch: [{ op: 'add', path: '/spec/types', value: ['CrossCluster'] }],
  },
  {
    name: 'defaults empty types to CrossCluster',
    object: labelled({ types: [] }),
    patch: [{ op: 'add', path: '/spec/types', value: ['CrossCluster'] }],
  },
  {
    name: 'creates a spec with the default type when there is none',
    object: { metadata: { name: 'nginx', labels: { [LABEL]: 'x' } } },
    patch: [{ op: 'add', path: '/spec', value: { types: ['CrossCluster'] } }],
  },
  {
    name: 'moves serviceProvisionClusters into empty providerClusters and removes it',
    object: labelled({ providerClusters: undefined, serviceProvisionClusters: ['member1', 'member3'] }),
    patch: [
      { op: 'add', path: '/spec/providerClusters', value: [{ name: 'member1' }, { name: 'member3' }] },
      { op: 'remove', path: '/spec/serviceProvisionClusters' },
    ],
    warnings: [
      `spec.serviceProvisionClusters is deprecated and Karmada ignores it: Karmada collected this Service's endpoints from every cluster, but mcs-bridge moved its names into spec.providerClusters and collects them only from "member1", "member3" (to collect from every cluster again, remove spec.providerClusters)`,
    ],
  },
  {
    name: 'merges serviceConsumptionClusters and range.clusterNames into empty consumerClusters, without repeats',
    object: labelled({
      consumerClusters: [],
      serviceConsumptionClusters: ['member2'],
      range: { clusterNames: ['member2', 'member3'] },
    }),
    patch: [
      { op: 'add', path: '/spec/consumerClusters', value: [{ name: 'member2' }, { name: 'member3' }] },
      { op: 'remove', path: '/spec/serviceConsumptionClusters' },
      { op: 'remove', path: '/spec/range' },
    ],
    warnings: [
      'spec.serviceConsumptionClusters and spec.range.clusterNames are deprecated and Karmada ignores them: Karmada served this MultiClusterService to every cluster, but mcs-bridge moved their names into spec.consumerClusters and serves it only to "member2", "member3" (to serve every cluster again, remove spec.consumerClusters)',
      'spec.consumerClusters: dropped duplicate cluster names "member2"',
    ],
  },
  {
    name: 'leaves out a deprecated name no cluster can have, and converts the others',
    object: labelled({ providerClusters: undefined, serviceProvisionClusters: [FORTY_NINE, 'member1'] }),
    patch: [
      { op: 'add', path: '/spec/providerClusters', value: [{ name: 'member1' }] },
      { op: 'remove', path: '/spec/serviceProvisionClusters' },
    ],
    warnings: [
      `spec.serviceProvisionClusters is deprecated and Karmada ignores it: Karmada collected this Service's endpoints from every cluster, but mcs-bridge moved its names into spec.providerClusters and collects them only from "member1" (to collect from every cluster again, remove spec.providerClusters)`,
      `spec.serviceProvisionClusters[0]: "${FORTY_NINE}" cannot be a cluster's name (must be no more than 48 characters), so mcs-bridge leaves it out`,
    ],
  },
  {
    name: 'removes a deprecated field whose names cannot be clusters, leaving every cluster as Karmada did',
    object: labelled({ consumerClusters: undefined, range: { clusterNames: ['Member_2'] } }),
    patch: [{ op: 'remove', path: '/spec/range' }],
    warnings: [
      "spec.range.clusterNames is deprecated and was removed: none of its names can be a cluster's, so spec.consumerClusters stays empty and every cluster consumes, as under Karmada",
      `spec.range.clusterNames[0]: "Member_2" cannot be a cluster's name (${DNS1123_LABEL_MSG}), so mcs-bridge leaves it out`,
    ],
  },
  {
    name: 'keeps a set providerClusters over the deprecated field, and says so',
    object: labelled({ serviceProvisionClusters: ['member9'] }),
    patch: [{ op: 'remove', path: '/spec/serviceProvisionClusters' }],
    warnings: [
      'spec.serviceProvisionClusters is deprecated and was removed: spec.providerClusters is set and takes precedence',
    ],
  },
  {
    name: 'removes empty deprecated fields without a word',
    object: labelled({ serviceProvisionClusters: [], range: {} }),
    patch: [
      { op: 'remove', path: '/spec/serviceProvisionClusters' },
      { op: 'remove', path: '/spec/range' },
    ],
    warnings: [],
  },
  {
    name: 'drops duplicate cluster names and keeps the order',
    object: labelled({
      providerClusters: [{ name: 'member3' }, { name: 'member1' }, { name: 'member3' }, { name: 'member1' }],
    }),
    patch: [{ op: 'add', path: '/spec/providerClusters', value: [{ name: 'member3' }, { name: 'member1' }] }],
    warnings: ['spec.providerClusters: dropped duplicate cluster names "member3", "member1"'],
  },
];

describe('defaulting', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = defaultMultiClusterService(c.object, () => ID);
      assert.deepEqual(result.patch, c.patch);
      assert.deepEqual(result.warnings, c.warnings ?? []);
    });
  }

  it('asks for a UUID only when the label is missing', () => {
    let calls = 0;
    defaultMultiClusterService(labelled(), () => {
      calls++;
      return ID;
    });
    assert.equal(calls, 0);
  });

  it("turns Karmada's deprecated-only manifest into one that uses the new fields", () => {
    const object = mcs({
      providerClusters: undefined,
      consumerClusters: undefined,
      serviceProvisionClusters: ['member1'],
      serviceConsumptionClusters: ['member2'],
    });
    const result = applyPatch(object, defaultMultiClusterService(object, () => ID).patch);
    assert.deepEqual(result, {
      ...object,
      metadata: { ...object.metadata, labels: { [LABEL]: ID } },
      spec: {
        types: ['CrossCluster'],
        providerClusters: [{ name: 'member1' }],
        consumerClusters: [{ name: 'member2' }],
      },
    });
  });

  it('produces a patch that is a no-op the second time', () => {
    const object = mcs({ types: [], range: { clusterNames: ['member2', 'member2'] }, consumerClusters: [] });
    const once = applyPatch(object, defaultMultiClusterService(object, () => ID).patch);
    assert.deepEqual(
      defaultMultiClusterService(once, () => ID),
      { patch: [], warnings: [] },
    );
  });
});
