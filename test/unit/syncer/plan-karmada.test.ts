import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { planMcs } from '../../../syncer/plan/plan.ts';
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
  objectAt,
  snapshot,
  withMember,
} from './fixtures.ts';

/** member1 and member2 run nginx pods and have the controller's slice; member3 runs none. */
function threeMembers() {
  return [
    member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5', '10.10.0.6'])] }),
    member(M2, { slices: [localSlice(M2, 'nginx-bbbbb', ['10.20.0.7'])] }),
    member(M3),
  ];
}

const svc = (cluster: string) => `create Service default/nginx in ${cluster}`;
const copy = (name: string, cluster: string) => `create EndpointSlice default/${name} in ${cluster}`;

describe('the seed scenario (provider member1, consumer member2)', () => {
  it('first puts the Service in both clusters, since member1 has no slice before it has the Service', () => {
    const plan = planMcs(snapshot({ clusters: [member(M1), member(M2)] }));
    assert.deepEqual(described(plan), [svc(M1), svc(M2)]);
    assert.equal(plan.finalizer, 'keep');
  });

  it('then copies the slice member1 makes into member2 only, named member1-<slice>', () => {
    let state = carryOut(
      snapshot({ clusters: [member(M1), member(M2)] }),
      planMcs(snapshot({ clusters: [member(M1), member(M2)] })),
    );
    const slice = localSlice(M1, 'nginx-7xk2p', ['10.10.0.5', '10.10.0.6']);
    state = withMember(state, M1, { endpointSlices: [slice] });
    const plan = planMcs(state);
    assert.deepEqual(described(plan), [copy('member1-nginx-7xk2p', M2)]);
    const object = objectAt<V1EndpointSlice>(plan, 0);
    assert.deepEqual(
      (object.endpoints ?? []).map((e) => e.addresses[0]),
      ['10.10.0.5', '10.10.0.6'],
    );
  });

  it('follows a scale to 3 and to 0 with one update of the copy each time', () => {
    const start = snapshot({
      clusters: [member(M1, { slices: [localSlice(M1, 'nginx-7xk2p', ['10.10.0.5'])] }), member(M2)],
    });
    const { state } = converge(start);
    for (const ips of [['10.10.0.5', '10.10.0.6', '10.10.0.7'], []]) {
      const scaled = withMember(state, M1, { endpointSlices: [localSlice(M1, 'nginx-7xk2p', ips)] });
      const plan = planMcs(scaled);
      assert.deepEqual(described(plan), ['update EndpointSlice default/member1-nginx-7xk2p in member2']);
      assert.equal(plan.actions[0]?.reason, 'drift: endpoints');
      assert.equal(objectAt<V1EndpointSlice>(plan, 0).endpoints?.length, ips.length);
    }
  });
});

describe("Karmada's e2e cases (test/e2e/suites/base/mcs_test.go)", () => {
  const cases: { name: string; providers: string[]; consumers: string[]; actions: string[] }[] = [
    {
      name: 'provider [member1], consumer [member2]: member1 slices go to member2',
      providers: [M1],
      consumers: [M2],
      actions: [svc(M1), svc(M2), copy('member1-nginx-aaaaa', M2)],
    },
    {
      name: "provider [member1, member2], consumer [member2]: member2's own slices are not sent back to it",
      providers: [M1, M2],
      consumers: [M2],
      actions: [svc(M1), svc(M2), copy('member1-nginx-aaaaa', M2)],
    },
    {
      name: 'empty provider list, consumer [member2]: every other cluster provides',
      providers: [],
      consumers: [M2],
      actions: [svc(M1), svc(M2), svc(M3), copy('member1-nginx-aaaaa', M2)],
    },
    {
      name: 'provider [member1], empty consumer list: member1 slices go to every other cluster',
      providers: [M1],
      consumers: [],
      actions: [svc(M1), svc(M2), svc(M3), copy('member1-nginx-aaaaa', M2), copy('member1-nginx-aaaaa', M3)],
    },
    {
      name: 'both lists empty: every cluster gets every other cluster slices',
      providers: [],
      consumers: [],
      actions: [
        svc(M1),
        svc(M2),
        svc(M3),
        copy('member2-nginx-bbbbb', M1),
        copy('member1-nginx-aaaaa', M2),
        copy('member1-nginx-aaaaa', M3),
        copy('member2-nginx-bbbbb', M3),
      ],
    },
  ];
  for (const c of cases) {
    it(`plans exactly the writes for ${c.name}`, () => {
      const plan = planMcs(snapshot({ mcs: mcs(c), clusters: threeMembers() }));
      assert.deepEqual(described(plan), c.actions);
      assert.deepEqual(plan.events, []);
    });
  }

  it('moves the copies when the lists switch from [member1, member2]→[member2] to [member2]→[member1]', () => {
    const { state } = converge(
      snapshot({ mcs: mcs({ providers: [M1, M2], consumers: [M2] }), clusters: threeMembers() }),
    );
    const plan = planMcs({ ...state, mcs: mcs({ providers: [M2], consumers: [M1] }) });
    assert.deepEqual(described(plan), [
      copy('member2-nginx-bbbbb', M1),
      'delete EndpointSlice default/member1-nginx-aaaaa in member2',
    ]);
    assert.equal(plan.actions[1]?.reason, 'member2 is no longer a consumer');
  });

  it('warns ClusterNotFound for a provider that does not exist and serves the others', () => {
    const plan = planMcs(
      snapshot({
        mcs: mcs({ providers: [M2, 'member-not-found'], consumers: [M1] }),
        clusters: threeMembers(),
      }),
    );
    assert.deepEqual(described(plan), [svc(M1), svc(M2), copy('member2-nginx-bbbbb', M1)]);
    assert.deepEqual(plan.events, [
      {
        type: 'Warning',
        reason: 'ClusterNotFound',
        message: 'Provider cluster member-not-found is not found',
      },
    ]);
    assert.equal(plan.status?.problems[0]?.reason, 'ClusterNotFound');
  });

  it('copies a NodePort hub Service as ClusterIP and says so', () => {
    const plan = planMcs(
      snapshot({ hubService: hubService({ type: 'NodePort' }), clusters: [member(M1), member(M2)] }),
    );
    assert.deepEqual(described(plan), [svc(M1), svc(M2)]);
    assert.equal(objectAt<V1Service>(plan, 0).spec?.type, 'ClusterIP');
    assert.deepEqual(plan.events, [
      {
        type: 'Normal',
        reason: 'ServiceTypeConverted',
        message:
          'Service default/nginx is of type NodePort on the hub; its copies in member clusters are of type ClusterIP',
      },
    ]);
  });

  it('gives a cluster that joins what it should have, under empty lists', () => {
    const { state } = converge(
      snapshot({ mcs: mcs({ providers: [], consumers: [] }), clusters: threeMembers().slice(0, 2) }),
    );
    const joined = { ...state, clusters: [...state.clusters, member(M3)] };
    assert.deepEqual(described(planMcs(joined)), [
      svc(M3),
      copy('member1-nginx-aaaaa', M3),
      copy('member2-nginx-bbbbb', M3),
    ]);
    assert.equal(memberOf(joined, M3).endpointSlices.length, 0);
  });
});
