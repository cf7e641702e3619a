import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Service } from '@kubernetes/client-node';
import { planMcs } from '../../../syncer/plan/plan.ts';
import {
  converge,
  described,
  localSlice,
  M1,
  M2,
  mcs,
  member,
  memberOf,
  served,
  snapshot,
  withMember,
  withSlice,
} from './fixtures.ts';

/** A Service a user created in a member by hand, unlike the hub's. */
function userService(): V1Service {
  return served.service(
    {
      metadata: { name: 'nginx', namespace: 'default', labels: { team: 'web' } },
      spec: { ports: [{ port: 8080 }] },
    },
    '10.98.0.50',
  );
}

describe('objects the syncer does not own', () => {
  it('leaves a user Service in a consumer untouched, reports it, and still attaches the copies to it', () => {
    const start = snapshot({
      clusters: [
        member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5'])] }),
        member(M2, { service: userService() }),
      ],
    });
    const plan = planMcs(start);
    assert.deepEqual(described(plan), [
      'create Service default/nginx in member1',
      'create EndpointSlice default/member1-nginx-aaaaa in member2',
    ]);
    const message = 'Service default/nginx in member2 is not managed by mcs-bridge and was left unchanged';
    assert.deepEqual(plan.events, [{ type: 'Warning', reason: 'ServiceConflict', message }]);
    assert.deepEqual(plan.status?.problems, [{ reason: 'ServiceConflict', scope: 'service', message }]);
  });

  it('never deletes a user Service, even when the MCS goes', () => {
    const { state } = converge(snapshot({ clusters: [member(M1), member(M2, { service: userService() })] }));
    const plan = planMcs({ ...state, mcs: undefined });
    assert.deepEqual(described(plan), ['delete Service default/nginx in member1']);
  });

  it('leaves a user slice for the Service in a consumer untouched through every change', () => {
    const userSlice = localSlice(M2, 'nginx-by-hand', ['10.20.0.99'], {
      labels: { 'endpointslice.kubernetes.io/managed-by': 'someone' },
    });
    const start = snapshot({
      clusters: [
        member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5'])] }),
        member(M2, { slices: [userSlice] }),
      ],
    });
    const { state } = converge(start);
    assert.deepEqual(memberOf(state, M2).endpointSlices[0], userSlice);
    for (const next of [
      { ...state, mcs: undefined },
      { ...state, hubService: undefined },
      { ...state, mcs: mcs({ consumers: [M1] }) },
    ]) {
      assert.ok(!described(planMcs(next)).some((d) => d.includes('nginx-by-hand')));
    }
  });

  it('treats a copy whose managed-by label was changed as no longer ours', () => {
    const { state } = converge(
      snapshot({
        clusters: [member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5'])] }), member(M2)],
      }),
    );
    const copy = structuredClone(memberOf(state, M2).endpointSlices[0]);
    if (!copy?.metadata?.labels) throw new Error('no copy');
    copy.metadata.labels['endpointslice.kubernetes.io/managed-by'] = 'someone';
    const taken = withSlice(state, M2, copy);
    const plan = planMcs({ ...taken, mcs: undefined });
    assert.deepEqual(described(plan), [
      'delete Service default/nginx in member1',
      'delete Service default/nginx in member2',
    ]);
    const active = planMcs(taken);
    assert.deepEqual(described(active), []);
    assert.equal(active.events[0]?.reason, 'EndpointSliceConflict');
  });

  it('does not dispatch copies back: a copy in a provider is not collected (the loop guard)', () => {
    const both = mcs({ providers: [M1, M2], consumers: [M1, M2] });
    const { state } = converge(
      snapshot({
        mcs: both,
        clusters: [member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5'])] }), member(M2)],
      }),
    );
    assert.deepEqual(
      memberOf(state, M2).endpointSlices.map((s) => s.metadata?.name),
      ['member1-nginx-aaaaa'],
    );
    assert.deepEqual(
      memberOf(state, M1).endpointSlices.map((s) => s.metadata?.name),
      ['nginx-aaaaa'],
    );
    const karmada = localSlice(M2, 'member1-nginx-zzz', ['10.10.0.5'], {
      labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-dispatch-controller.karmada.io' },
    });
    assert.deepEqual(described(planMcs(withSlice(state, M2, karmada))), []);
  });

  it('collects a user slice in a provider as that provider endpoints', () => {
    const userSlice = localSlice(M2, 'nginx-by-hand', ['10.20.0.99'], {
      labels: { 'endpointslice.kubernetes.io/managed-by': 'someone' },
    });
    const plan = planMcs(
      snapshot({
        mcs: mcs({ providers: [M2], consumers: [M1] }),
        clusters: [member(M1), member(M2, { slices: [userSlice] })],
      }),
    );
    assert.ok(described(plan).includes('create EndpointSlice default/member2-nginx-by-hand in member1'));
  });

  it('ignores the slices of another Service in the cache', () => {
    const other = localSlice(M1, 'web-aaaaa', ['10.10.0.8'], { service: 'web' });
    const plan = planMcs(
      withMember(snapshot({ clusters: [member(M1), member(M2)] }), M1, { endpointSlices: [other] }),
    );
    assert.ok(!described(plan).some((d) => d.includes('EndpointSlice')));
  });
});
