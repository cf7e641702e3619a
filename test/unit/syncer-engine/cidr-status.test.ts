import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { CidrChecks } from '../../../syncer/engine/cidr-status.ts';
import { SyncerMetrics } from '../../../syncer/engine/metrics.ts';
import type { ClusterRanges } from '../../../syncer/network/overlaps.ts';
import { planMcs } from '../../../syncer/plan/plan.ts';
import type { McsSnapshot } from '../../../syncer/plan/snapshot.ts';
import { statusFor } from '../../../syncer/plan/status.ts';
import { localSlice, M1, M2, M3, mcs, member, snapshot, T0 } from '../syncer/fixtures.ts';

const TYPE = 'EndpointsOutsideConsumerCIDRs';
const KEY = 'default/nginx';

function setup() {
  const registry = new Registry();
  return { checks: new CidrChecks(new SyncerMetrics(registry)), registry };
}

/** member1 provides 10.10.1.1 to member2 and member3. */
function seed(): McsSnapshot {
  return snapshot({
    mcs: mcs({ consumers: [M2, M3], generation: 2 }),
    clusters: [
      member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.1.1'])] }),
      member(M2),
      member(M3),
    ],
  });
}

const ranges: Record<string, ClusterRanges | undefined> = {
  member2: {
    ranges: [{ cidr: '10.98.0.0/16', kind: 'service', origin: 'ServiceCIDR kubernetes', exact: true }],
    unknown: [],
  },
  member3: {
    ranges: [{ cidr: '10.10.0.0/16', kind: 'pod', origin: 'node member3-node', exact: true }],
    unknown: [],
  },
};

async function gauge(registry: Registry): Promise<string> {
  const m = await registry.getSingleMetricAsString('mcs_bridge_syncer_cidr_overlaps');
  return m
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .join('\n');
}

describe('the overlap condition of a reconcile', () => {
  it('adds a False condition, a Warning event and a gauge, and leaves the dispatch alone', async () => {
    const { checks, registry } = setup();
    const s = seed();
    const plan = planMcs(s);
    const base = statusFor(
      plan,
      plan.actions.map((action) => ({ action })),
      { now: T0 },
    );
    const update = checks.amend(KEY, s, plan, base, (c) => ranges[c], T0);
    const c = update.conditions.find((x) => x.type === TYPE);
    assert.equal(c?.status, 'False');
    assert.equal(c?.reason, 'CIDROverlap');
    assert.equal(c?.observedGeneration, 2);
    assert.match(
      c?.message ?? '',
      /endpoint 10\.10\.1\.1 from member1 is inside member3's pod CIDR 10\.10\.0\.0\/16/,
    );
    assert.deepEqual(
      update.events.filter((e) => e.reason === 'CIDROverlap').map((e) => e.type),
      ['Warning'],
    );
    assert.ok(
      plan.actions.some((a) => a.kind === 'EndpointSlice' && a.cluster === M3),
      'still dispatched to member3',
    );
    assert.equal(await gauge(registry), 'mcs_bridge_syncer_cidr_overlaps{cluster="member3",range="pod"} 1');
  });

  it('changes nothing the second time, and keeps the transition time', () => {
    const { checks } = setup();
    const s = seed();
    const plan = planMcs(s);
    const first = checks.amend(KEY, s, plan, statusFor(plan, [], { now: T0 }), (c) => ranges[c], T0);
    const again = checks.amend(
      KEY,
      s,
      plan,
      { conditions: first.conditions, changed: false, events: [] },
      (c) => ranges[c],
      T0 + 60_000,
    );
    assert.equal(again.changed, false);
    assert.deepEqual(again.conditions, first.conditions);
  });

  it('turns True and clears the gauge once the overlapping range is gone', async () => {
    const { checks, registry } = setup();
    const s = seed();
    const plan = planMcs(s);
    const first = checks.amend(KEY, s, plan, statusFor(plan, [], { now: T0 }), (c) => ranges[c], T0);
    const cleared: Record<string, ClusterRanges | undefined> = {
      ...ranges,
      member3: { ranges: [], unknown: [] },
    };
    const update = checks.amend(
      KEY,
      s,
      plan,
      { conditions: first.conditions, changed: false, events: [] },
      (c) => cleared[c],
      T0 + 1_000,
    );
    assert.equal(update.changed, true);
    assert.equal(update.conditions.find((x) => x.type === TYPE)?.status, 'True');
    assert.equal(await gauge(registry), 'mcs_bridge_syncer_cidr_overlaps{cluster="member3",range="pod"} 0');
  });

  it("holds the condition as it was while a live consumer's ranges are still being read", () => {
    const { checks } = setup();
    const s = seed();
    const plan = planMcs(s);
    const base = statusFor(plan, [], { now: T0 });
    const update = checks.amend(KEY, s, plan, base, (c) => (c === M3 ? undefined : ranges[c]), T0);
    assert.equal(update, base);
  });

  it('says Unknown for a consumer that cannot be reached and whose ranges were never read', () => {
    const { checks } = setup();
    const s = { ...seed(), clusters: [...seed().clusters.slice(0, 2), member(M3, { ready: false })] };
    const plan = planMcs(s);
    const update = checks.amend(
      KEY,
      s,
      plan,
      statusFor(plan, [], { now: T0 }),
      (c) => (c === M3 ? undefined : ranges[c]),
      T0,
    );
    const c = update.conditions.find((x) => x.type === TYPE);
    assert.equal(c?.status, 'Unknown');
    assert.match(c?.message ?? '', /member3: it cannot be reached/);
  });

  it('drops the condition and the gauge when the MCS is no longer carried out', async () => {
    const { checks, registry } = setup();
    const s = seed();
    const plan = planMcs(s);
    const first = checks.amend(KEY, s, plan, statusFor(plan, [], { now: T0 }), (c) => ranges[c], T0);
    const withdrawn = { ...s, mcs: mcs({ consumers: [M2, M3], types: ['LoadBalancer'] }) };
    const wplan = planMcs(withdrawn);
    const update = checks.amend(
      KEY,
      withdrawn,
      wplan,
      statusFor(wplan, [], { now: T0, previous: first.conditions }),
      (c) => ranges[c],
      T0,
    );
    assert.equal(update.changed, true);
    assert.equal(
      update.conditions.find((x) => x.type === TYPE),
      undefined,
    );
    assert.equal(await gauge(registry), 'mcs_bridge_syncer_cidr_overlaps{cluster="member3",range="pod"} 0');
  });
});
