import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MultiClusterServiceSpec } from '../../../syncer/api/types.ts';
import { graceDeadline, isLost, resolveClusterSets } from '../../../syncer/plan/clusters.ts';
import { M1, M2, M3, member, T0 } from './fixtures.ts';

const KNOWN = [M1, M2, M3];

describe('resolving providers and consumers', () => {
  const cases: {
    name: string;
    spec: Partial<MultiClusterServiceSpec>;
    providers: string[];
    consumers: string[];
    notFound?: string[];
  }[] = [
    {
      name: 'both lists given',
      spec: { providerClusters: [{ name: M1 }], consumerClusters: [{ name: M2 }] },
      providers: [M1],
      consumers: [M2],
    },
    { name: 'both lists empty', spec: {}, providers: KNOWN, consumers: KNOWN },
    {
      name: 'duplicates in a list',
      spec: { providerClusters: [{ name: M1 }, { name: M1 }] },
      providers: [M1],
      consumers: KNOWN,
    },
    {
      name: 'unknown names, which are reported and ignored',
      spec: { providerClusters: [{ name: 'gone' }, { name: M2 }], consumerClusters: [{ name: 'nowhere' }] },
      providers: [M2],
      consumers: [],
      notFound: ['provider gone', 'consumer nowhere'],
    },
    {
      name: 'only the deprecated serviceProvisionClusters and serviceConsumptionClusters',
      spec: { serviceProvisionClusters: [M2], serviceConsumptionClusters: [M3] },
      providers: [M2],
      consumers: [M3],
    },
    {
      name: 'only the deprecated range, read as consumers',
      spec: { range: { clusterNames: [M1] } },
      providers: KNOWN,
      consumers: [M1],
    },
    {
      name: 'both deprecated consumer fields together, as the webhook merges them',
      spec: { serviceConsumptionClusters: [M2], range: { clusterNames: [M3, M2] } },
      providers: KNOWN,
      consumers: [M2, M3],
    },
    {
      name: 'deprecated names no cluster can have, which are left out as the webhook leaves them out',
      spec: { serviceProvisionClusters: ['a'.repeat(49), M1], range: { clusterNames: ['Member2', ''] } },
      providers: [M1],
      consumers: KNOWN,
    },
    {
      name: 'new and deprecated fields, where the new ones win',
      spec: {
        providerClusters: [{ name: M1 }],
        serviceProvisionClusters: [M3],
        consumerClusters: [{ name: M2 }],
        range: { clusterNames: [M3] },
      },
      providers: [M1],
      consumers: [M2],
    },
  ];
  for (const c of cases) {
    it(`resolves ${c.name}`, () => {
      const sets = resolveClusterSets({ types: ['CrossCluster'], ...c.spec }, KNOWN);
      assert.deepEqual([...sets.providers].sort(), c.providers);
      assert.deepEqual([...sets.consumers].sort(), c.consumers);
      assert.deepEqual(
        sets.notFound.map((n) => `${n.role} ${n.name}`),
        c.notFound ?? [],
      );
    });
  }
});

describe('the grace period of a cluster', () => {
  it('ends grace after the outage began, and counts as lost from then on', () => {
    const down = member(M1, { ready: false, notReadySince: T0 });
    assert.equal(graceDeadline(down, 5000), T0 + 5000);
    assert.equal(isLost(down, 5000, T0 + 4999), false);
    assert.equal(isLost(down, 5000, T0 + 5000), true);
  });

  it('does not apply to a ready cluster, an outage of unknown start, or when off', () => {
    assert.equal(graceDeadline(member(M1, { notReadySince: T0 }), 5000), undefined);
    assert.equal(graceDeadline(member(M1, { ready: false }), 5000), undefined);
    assert.equal(graceDeadline(member(M1, { ready: false, notReadySince: T0 }), undefined), undefined);
  });
});
