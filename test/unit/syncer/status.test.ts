import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { McsCondition } from '../../../syncer/api/types.ts';
import { planMcs } from '../../../syncer/plan/plan.ts';
import type { ActionResult } from '../../../syncer/plan/status.ts';
import { statusFor } from '../../../syncer/plan/status.ts';
import type { McsPlan } from '../../../syncer/plan/types.ts';
import { carryOut, localSlice, M1, M2, mcs, member, snapshot, T0, withMember } from './fixtures.ts';

const NOW = T0 + 60_000;
const seed = () =>
  snapshot({
    mcs: mcs({ generation: 3 }),
    clusters: [member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5'])] }), member(M2)],
  });
const allOk = (plan: McsPlan): ActionResult[] => plan.actions.map((action) => ({ action }));

const TRUE_CONDITIONS: Omit<McsCondition, 'lastTransitionTime'>[] = [
  {
    type: 'ServiceApplied',
    status: 'True',
    observedGeneration: 3,
    reason: 'ServiceAppliedSucceed',
    message: 'Service is propagated to target clusters: member1, member2',
  },
  {
    type: 'EndpointSliceDispatched',
    status: 'True',
    observedGeneration: 3,
    reason: 'EndpointSliceDispatchedSucceed',
    message: 'EndpointSlices are dispatched from member1 to member2',
  },
];

function withoutTime(conditions: McsCondition[]) {
  return conditions.map(({ lastTransitionTime: _, ...c }) => c);
}

describe('statusFor', () => {
  it('says True on both conditions, with Karmada reasons, once every write succeeded', () => {
    const plan = planMcs(seed());
    const update = statusFor(plan, allOk(plan), { now: NOW });
    assert.deepEqual(withoutTime(update.conditions), TRUE_CONDITIONS);
    assert.ok(update.conditions.every((c) => c.lastTransitionTime === '2026-01-01T00:01:00Z'));
    assert.equal(update.changed, true);
    assert.deepEqual(update.events, [
      { type: 'Normal', reason: 'SyncServiceSucceed', message: 'Service created in member1, member2' },
      {
        type: 'Normal',
        reason: 'DispatchEndpointSliceSucceed',
        message: 'EndpointSlices created in member2',
      },
    ]);
  });

  it('changes nothing and records no event at steady state', () => {
    const first = planMcs(seed());
    const previous = statusFor(first, allOk(first), { now: NOW }).conditions;
    const steady = planMcs(carryOut(seed(), first));
    const update = statusFor(steady, [], { now: NOW + 3_600_000, previous });
    assert.equal(update.changed, false);
    assert.deepEqual(update.conditions, previous);
    assert.deepEqual(update.events, []);
  });

  it('names the write that failed, where and why, and warns', () => {
    const plan = planMcs(seed());
    const results = plan.actions.map((action) =>
      action.kind === 'EndpointSlice' ? { action, error: 'forbidden' } : { action },
    );
    const update = statusFor(plan, results, { now: NOW });
    const message = 'failed to apply EndpointSlice default/member1-nginx-aaaaa in member2: forbidden';
    assert.deepEqual(withoutTime(update.conditions)[1], {
      type: 'EndpointSliceDispatched',
      status: 'False',
      observedGeneration: 3,
      reason: 'EndpointSliceDispatchedFailed',
      message,
    });
    assert.equal(update.conditions[0]?.status, 'True');
    assert.deepEqual(update.events[0], { type: 'Warning', reason: 'DispatchEndpointSliceFailed', message });
  });

  it('counts an action without a result as not attempted', () => {
    const plan = planMcs(seed());
    const update = statusFor(plan, [], { now: NOW });
    assert.equal(update.conditions[0]?.reason, 'ServiceAppliedFailed');
    assert.match(
      update.conditions[0]?.message ?? '',
      /failed to apply Service default\/nginx in member1: not attempted/,
    );
  });

  it('lists the clusters that are not ready, and keeps the transition time while the status holds', () => {
    const plan = planMcs(withMember(seed(), M2, { ready: false }));
    const first = statusFor(plan, allOk(plan), { now: NOW });
    const message = 'cluster member2 is not ready: what it holds and what came from it are kept unchanged';
    assert.deepEqual(
      first.conditions.map((c) => [c.status, c.reason, c.message]),
      [
        ['False', 'ClusterNotReady', message],
        ['False', 'ClusterNotReady', message],
      ],
    );
    const later = statusFor(plan, allOk(plan), { now: NOW + 5000, previous: first.conditions });
    assert.equal(later.changed, false);
    const other = planMcs(withMember(withMember(seed(), M2, { ready: false }), M1, { ready: false }));
    const worse = statusFor(other, allOk(other), { now: NOW + 9000, previous: first.conditions });
    assert.equal(worse.changed, true);
    assert.equal(worse.conditions[0]?.lastTransitionTime, first.conditions[0]?.lastTransitionTime);
    assert.match(worse.conditions[0]?.message ?? '', /member1 is not ready.*member2 is not ready/);
  });

  it('keeps conditions of other types and replaces its own', () => {
    const plan = planMcs(seed());
    const foreign: McsCondition = {
      type: 'Other',
      status: 'True',
      reason: 'X',
      message: '',
      lastTransitionTime: 't',
    };
    const stale: McsCondition = { ...foreign, type: 'ServiceApplied', status: 'False' };
    const update = statusFor(plan, allOk(plan), { now: NOW, previous: [foreign, stale] });
    assert.deepEqual(
      update.conditions.map((c) => `${c.type}=${c.status}`),
      ['Other=True', 'ServiceApplied=True', 'EndpointSliceDispatched=True'],
    );
  });

  it('says why a LoadBalancer MCS does nothing', () => {
    const plan = planMcs({ ...seed(), mcs: mcs({ types: ['LoadBalancer'] }) });
    const update = statusFor(plan, [], { now: NOW });
    assert.deepEqual(
      update.conditions.map((c) => [c.status, c.reason, c.message]),
      Array(2).fill([
        'False',
        'TypeNotSupported',
        'spec.types is LoadBalancer: mcs-bridge carries out CrossCluster only and provisions no load balancer',
      ]),
    );
  });

  it('leaves the status alone while the MCS is being deleted, and still reports the deletes', () => {
    const first = planMcs(seed());
    const previous = statusFor(first, allOk(first), { now: NOW }).conditions;
    const plan = planMcs({ ...carryOut(seed(), first), mcs: mcs({ deleting: true }) });
    assert.equal(plan.status, undefined);
    const update = statusFor(plan, allOk(plan), { now: NOW, previous });
    assert.equal(update.changed, false);
    assert.deepEqual(update.conditions, previous);
    assert.deepEqual(update.events, [
      { type: 'Normal', reason: 'SyncServiceSucceed', message: 'Service deleted in member1, member2' },
      {
        type: 'Normal',
        reason: 'DispatchEndpointSliceSucceed',
        message: 'EndpointSlices deleted in member2',
      },
    ]);
  });
});
