import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { planMcs } from '../../../syncer/plan/plan.ts';
import type { McsSnapshot } from '../../../syncer/plan/snapshot.ts';
import {
  carryOut,
  converge,
  described,
  localSlice,
  M1,
  M2,
  M3,
  mcs,
  member,
  memberOf,
  objectAt,
  snapshot,
  T0,
  withMember,
  withSlice,
} from './fixtures.ts';

/** Providers member1 and member2, consumers member2 and member3, converged. */
function converged(): McsSnapshot {
  return converge(
    snapshot({
      mcs: mcs({ providers: [M1, M2], consumers: [M2, M3] }),
      clusters: [
        member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5', '10.10.0.6'])] }),
        member(M2, { slices: [localSlice(M2, 'nginx-bbbbb', ['10.20.0.7'])] }),
        member(M3),
      ],
    }),
  ).state;
}

const SECOND = 1000;

describe('caches that have not synced', () => {
  it('plan nothing at all while the hub caches sync', () => {
    const plan = planMcs({ ...converged(), hubSynced: false, mcs: undefined });
    assert.deepEqual(plan, {
      namespace: 'default',
      name: 'nginx',
      actions: [],
      events: [],
      finalizer: 'keep',
    });
  });

  it('keep the copies of a provider whose cache has not synced, and hold the status', () => {
    const state = withMember(converged(), M1, { synced: false, endpointSlices: [] });
    const plan = planMcs(state);
    assert.deepEqual(described(plan), []);
    assert.equal(plan.status, undefined);
  });

  it('write nothing into a consumer whose cache has not synced, even when the MCS is deleted', () => {
    const state = withMember(converged(), M3, { synced: false });
    const plan = planMcs({
      ...state,
      mcs: mcs({ providers: [M1, M2], consumers: [M2, M3], deleting: true }),
    });
    assert.ok(!described(plan).some((d) => d.endsWith('in member3')));
    assert.ok(described(plan).length > 0);
    assert.equal(
      planMcs(carryOut(state, plan)).finalizer,
      'keep',
      'a ready cluster that has not synced holds it',
    );
  });
});

describe('a cluster that is not ready', () => {
  it('keeps the copies that came from a provider that is not ready, and says so', () => {
    const state = withMember(converged(), M1, { ready: false, endpointSlices: [] });
    const plan = planMcs(state);
    assert.deepEqual(described(plan), []);
    const message = 'cluster member1 is not ready: what it holds and what came from it are kept unchanged';
    assert.deepEqual(plan.events, [{ type: 'Warning', reason: 'ClusterNotReady', message }]);
    assert.deepEqual(plan.status?.problems, [{ reason: 'ClusterNotReady', scope: 'both', message }]);
  });

  it('gets no write while the other clusters are served as usual', () => {
    const state = withMember(converged(), M3, { ready: false });
    const plan = planMcs(withSlice(state, M2, localSlice(M2, 'nginx-bbbbb', ['10.20.0.8'])));
    assert.deepEqual(described(plan), []);
    const plan2 = planMcs(withSlice(state, M1, localSlice(M1, 'nginx-aaaaa', ['10.10.0.9'])));
    assert.deepEqual(described(plan2), ['update EndpointSlice default/member1-nginx-aaaaa in member2']);
  });

  it('loses its copies elsewhere when the user removes it from the providers (Karmada’s documented remedy)', () => {
    const state = withMember(converged(), M1, { ready: false });
    const plan = planMcs({ ...state, mcs: mcs({ providers: [M2], consumers: [M2, M3] }) });
    assert.deepEqual(described(plan), [
      'delete EndpointSlice default/member1-nginx-aaaaa in member2',
      'delete EndpointSlice default/member1-nginx-aaaaa in member3',
    ]);
  });

  it('does not hold up the deletion of the MCS, and warns that its leftovers go when it returns', () => {
    const state = withMember(converged(), M3, { ready: false });
    const deleting = { ...state, mcs: mcs({ providers: [M1, M2], consumers: [M2, M3], deleting: true }) };
    const plan = planMcs(deleting);
    assert.ok(!described(plan).some((d) => d.endsWith('in member3')));
    assert.deepEqual(
      plan.events.map((e) => e.reason),
      ['CleanupDeferred'],
    );
    const after = planMcs(carryOut(deleting, plan));
    assert.equal(after.finalizer, 'remove');
    const returned = withMember(carryOut(deleting, plan), M3, { ready: true });
    assert.deepEqual(described(planMcs({ ...returned, mcs: undefined })), [
      'delete EndpointSlice default/member1-nginx-aaaaa in member3',
      'delete EndpointSlice default/member2-nginx-bbbbb in member3',
      'delete Service default/nginx in member3',
    ]);
  });
});

describe('the unready grace period', () => {
  const grace = 30 * SECOND;
  const lost = (now: number) =>
    ({
      ...withMember(converged(), M1, { ready: false, notReadySince: T0 }),
      unreadyGraceMs: grace,
      now,
    }) as McsSnapshot;

  it('changes nothing before it ends, and asks to be woken when it does', () => {
    const plan = planMcs(lost(T0 + grace - 1));
    assert.deepEqual(described(plan), []);
    assert.equal(plan.requeueAt, T0 + grace);
  });

  it('marks the lost provider endpoints not ready in every consumer once it ends', () => {
    const plan = planMcs(lost(T0 + grace));
    assert.deepEqual(described(plan), [
      'update EndpointSlice default/member1-nginx-aaaaa in member2',
      'update EndpointSlice default/member1-nginx-aaaaa in member3',
    ]);
    assert.deepEqual(
      (objectAt<V1EndpointSlice>(plan, 0).endpoints ?? []).map((e) => [e.addresses[0], e.conditions?.ready]),
      [
        ['10.10.0.5', false],
        ['10.10.0.6', false],
      ],
    );
    assert.equal(plan.requeueAt, undefined);
    assert.ok(plan.events.some((e) => e.reason === 'ProviderEndpointsNotReady'));
  });

  it('marks them once only', () => {
    const marked = carryOut(lost(T0 + grace), planMcs(lost(T0 + grace)));
    assert.deepEqual(described(planMcs({ ...marked, now: T0 + 10 * grace })), []);
  });

  it('restores them when the provider returns', () => {
    const marked = carryOut(lost(T0 + grace), planMcs(lost(T0 + grace)));
    const back = withMember(marked, M1, { ready: true, notReadySince: undefined });
    const plan = planMcs(back);
    assert.deepEqual(described(plan), [
      'update EndpointSlice default/member1-nginx-aaaaa in member2',
      'update EndpointSlice default/member1-nginx-aaaaa in member3',
    ]);
    assert.ok(
      (objectAt<V1EndpointSlice>(plan, 1).endpoints ?? []).every((e) => e.conditions?.ready === true),
    );
    assert.deepEqual(described(planMcs(carryOut(back, plan))), []);
  });

  it('is off unless configured', () => {
    const plan = planMcs({ ...lost(T0 + 100 * grace), unreadyGraceMs: undefined });
    assert.deepEqual(described(plan), []);
    assert.equal(plan.requeueAt, undefined);
  });

  it('does not apply to a consumer, whose copies stay as they were', () => {
    const state = {
      ...withMember(converged(), M3, { ready: false, notReadySince: T0 }),
      unreadyGraceMs: grace,
    };
    assert.deepEqual(described(planMcs({ ...state, now: T0 + 2 * grace })), []);
    assert.equal(memberOf(state, M3).endpointSlices.length, 2);
  });
});
