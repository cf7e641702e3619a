import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planMcs } from '../../../syncer/plan/plan.ts';
import type { McsSnapshot } from '../../../syncer/plan/snapshot.ts';
import {
  carryOut,
  converge,
  described,
  hubService,
  localSlice,
  M1,
  M2,
  M3,
  mcs,
  member,
  memberOf,
  snapshot,
  withMember,
} from './fixtures.ts';

/** Both lists empty, converged: every cluster has our Service and the other clusters' copies. */
function everywhere(): McsSnapshot {
  return converge(
    snapshot({
      mcs: mcs({ providers: [], consumers: [] }),
      clusters: [
        member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5'])] }),
        member(M2, { slices: [localSlice(M2, 'nginx-bbbbb', ['10.20.0.7'])] }),
        member(M3),
      ],
    }),
  ).state;
}

const ALL_OURS = [
  'delete EndpointSlice default/member2-nginx-bbbbb in member1',
  'delete EndpointSlice default/member1-nginx-aaaaa in member2',
  'delete EndpointSlice default/member1-nginx-aaaaa in member3',
  'delete EndpointSlice default/member2-nginx-bbbbb in member3',
  'delete Service default/nginx in member1',
  'delete Service default/nginx in member2',
  'delete Service default/nginx in member3',
];

describe('withdrawing', () => {
  it('removes every copy and Service of a deleted MCS, slices before Services, then drops the finalizer', () => {
    const deleting = { ...everywhere(), mcs: mcs({ providers: [], consumers: [], deleting: true }) };
    const plan = planMcs(deleting);
    assert.deepEqual(described(plan), ALL_OURS);
    assert.ok(plan.actions.every((a) => a.reason === 'MultiClusterService is being deleted'));
    assert.equal(plan.finalizer, 'keep', 'not before the deletes are seen done');
    assert.equal(plan.status, undefined);
    const after = planMcs(carryOut(deleting, plan));
    assert.deepEqual(described(after), []);
    assert.equal(after.finalizer, 'remove');
    assert.equal(after.requeueAt, undefined, 'nothing left to look at again');
  });

  it('asks to be run again after its deletes, since their watch events are echoes that requeue nothing', () => {
    const deleting = { ...everywhere(), mcs: mcs({ providers: [], consumers: [], deleting: true }) };
    const plan = planMcs(deleting);
    assert.ok(plan.actions.length > 0);
    assert.ok(plan.requeueAt !== undefined && plan.requeueAt > deleting.now, 'a recheck is planned');
  });

  it("leaves the controller's own slices and the hub alone", () => {
    const deleting = { ...everywhere(), mcs: mcs({ deleting: true }) };
    const plan = planMcs(deleting);
    assert.ok(
      !described(plan).some(
        (d) => d.includes('nginx-aaaaa in member1') || d.includes('nginx-bbbbb in member2'),
      ),
    );
  });

  it('cleans up after an MCS deleted while the syncer was down (no MCS, no finalizer)', () => {
    const plan = planMcs({ ...everywhere(), mcs: undefined });
    assert.deepEqual(described(plan), ALL_OURS);
    assert.ok(plan.actions.every((a) => a.reason === 'MultiClusterService deleted'));
    assert.deepEqual(plan.events, []);
    assert.equal(plan.finalizer, 'keep');
  });

  it('removes a consumer that leaves the list: its copies and, if not a provider, its Service', () => {
    const plan = planMcs({ ...everywhere(), mcs: mcs({ providers: [M1, M2], consumers: [M1, M2] }) });
    assert.deepEqual(described(plan), [
      'delete EndpointSlice default/member1-nginx-aaaaa in member3',
      'delete EndpointSlice default/member2-nginx-bbbbb in member3',
      'delete Service default/nginx in member3',
    ]);
    assert.equal(plan.actions[2]?.reason, 'member3 is no longer a provider or consumer');
  });

  it('removes the copies of a provider that leaves the list, and nothing else', () => {
    const plan = planMcs({ ...everywhere(), mcs: mcs({ providers: [M2], consumers: [] }) });
    assert.deepEqual(described(plan), [
      'delete EndpointSlice default/member1-nginx-aaaaa in member2',
      'delete EndpointSlice default/member1-nginx-aaaaa in member3',
    ]);
    assert.ok(plan.actions.every((a) => a.reason === 'member1 is no longer a provider'));
  });

  it('removes exactly the copies of a deleted source slice', () => {
    const state = everywhere();
    const rest = memberOf(state, M1).endpointSlices.filter((s) => s.metadata?.name !== 'nginx-aaaaa');
    const plan = planMcs(withMember(state, M1, { endpointSlices: rest }));
    assert.deepEqual(described(plan), [
      'delete EndpointSlice default/member1-nginx-aaaaa in member2',
      'delete EndpointSlice default/member1-nginx-aaaaa in member3',
    ]);
    assert.ok(plan.actions.every((a) => a.reason === 'source slice deleted'));
  });

  it('removes the copies of a cluster that left the federation', () => {
    const state = everywhere();
    const plan = planMcs({ ...state, clusters: state.clusters.filter((m) => m.name !== M1) });
    assert.deepEqual(described(plan), [
      'delete EndpointSlice default/member1-nginx-aaaaa in member2',
      'delete EndpointSlice default/member1-nginx-aaaaa in member3',
    ]);
  });

  it('removes everything when the hub Service is deleted, keeps the finalizer and says why', () => {
    const plan = planMcs({ ...everywhere(), hubService: undefined });
    assert.deepEqual(described(plan), ALL_OURS);
    assert.equal(plan.finalizer, 'keep');
    assert.deepEqual(plan.status?.problems, [
      {
        reason: 'ServiceNotFound',
        scope: 'both',
        message: 'Service default/nginx does not exist on the hub',
      },
    ]);
  });

  it('does nothing for a LoadBalancer MCS but say why, and adds no finalizer', () => {
    const plan = planMcs(
      snapshot({
        mcs: mcs({ types: ['LoadBalancer'], finalizer: false }),
        clusters: [member(M1), member(M2)],
      }),
    );
    assert.deepEqual(described(plan), []);
    assert.equal(plan.finalizer, 'keep');
    assert.equal(plan.status?.problems[0]?.reason, 'TypeNotSupported');
  });

  it('removes what a CrossCluster MCS left when it is no longer one, then drops the finalizer', () => {
    const lb = { ...everywhere(), mcs: mcs({ types: ['LoadBalancer'] }) };
    const plan = planMcs(lb);
    assert.deepEqual(described(plan), ALL_OURS);
    assert.equal(plan.finalizer, 'keep');
    assert.equal(planMcs(carryOut(lb, plan)).finalizer, 'remove');
  });

  it('removes everything for an ExternalName hub Service and says why', () => {
    const plan = planMcs({
      ...everywhere(),
      hubService: hubService({ type: 'ExternalName', externalName: 'a.example' }),
    });
    assert.deepEqual(described(plan), ALL_OURS);
    assert.equal(plan.status?.problems[0]?.reason, 'ServiceTypeNotSupported');
  });

  it('adds the finalizer to a CrossCluster MCS that lacks it', () => {
    const plan = planMcs(snapshot({ mcs: mcs({ finalizer: false }), clusters: [member(M1), member(M2)] }));
    assert.equal(plan.finalizer, 'add');
  });

  it('writes nothing into a namespace that is terminating, which takes our objects with it', () => {
    const terminating = {
      metadata: { name: 'default', deletionTimestamp: new Date() },
      status: { phase: 'Terminating' },
    };
    const state = withMember(everywhere(), M3, { namespace: terminating });
    const plan = planMcs({ ...state, mcs: mcs({ providers: [], consumers: [], deleting: true }) });
    assert.ok(!described(plan).some((d) => d.endsWith('in member3')));
    const active = planMcs(withMember(state, M1, { endpointSlices: [] }));
    assert.ok(!described(active).some((d) => d.endsWith('in member3')));
    assert.ok(active.status?.problems.some((p) => p.reason === 'NamespaceTerminating'));
  });
});
