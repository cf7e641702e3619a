import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDnsSubdomain } from '../../../syncer/names.ts';
import { planMcs } from '../../../syncer/plan/plan.ts';
import {
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
} from './fixtures.ts';

function withSlices() {
  return [
    member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5', '10.10.0.6'])] }),
    member(M2, { slices: [localSlice(M2, 'nginx-bbbbb', ['10.20.0.7'])] }),
    member(M3),
  ];
}

describe('steady state', () => {
  const lists: [string[], string[]][] = [
    [[M1], [M2]],
    [[M1, M2], [M2]],
    [[], [M2]],
    [[M1], []],
    [[], []],
  ];
  for (const [providers, consumers] of lists) {
    it(`plans no write once converged, for providers [${providers}] and consumers [${consumers}]`, () => {
      const { state, rounds } = converge(
        snapshot({ mcs: mcs({ providers, consumers }), clusters: withSlices() }),
      );
      assert.equal(rounds, 1, 'converges in one round of writes');
      assert.deepEqual(described(planMcs(state)), []);
      assert.deepEqual(
        described(planMcs(structuredClone(state))),
        [],
        'a resync with fresh objects writes nothing',
      );
    });
  }

  it('plans no write for a hub Service using every copied field, on IPv6 members', () => {
    const hub = hubService({
      ports: [
        { name: 'http', port: 80, targetPort: 'web', appProtocol: 'http' },
        { name: 'dns', port: 53, protocol: 'UDP' },
      ],
      sessionAffinity: 'ClientIP',
      publishNotReadyAddresses: true,
      internalTrafficPolicy: 'Local',
      trafficDistribution: 'PreferClose',
      type: 'NodePort',
    });
    const start = snapshot({ hubService: hub, clusters: withSlices() });
    const { state, rounds } = converge(start, { [M1]: 'IPv6', [M2]: 'IPv6' });
    assert.equal(rounds, 1);
    assert.deepEqual(memberOf(state, M2).service?.spec?.ipFamilies, ['IPv6']);
    assert.deepEqual(described(planMcs(state)), []);
  });

  it('updates each copy once when the hub Service changes, and then rests', () => {
    const { state } = converge(snapshot({ clusters: withSlices() }));
    const changed = { ...state, hubService: hubService({ ports: [{ port: 8080, targetPort: 80 }] }) };
    const plan = planMcs(changed);
    assert.deepEqual(described(plan), [
      'update Service default/nginx in member1',
      'update Service default/nginx in member2',
    ]);
    assert.equal(plan.actions[0]?.reason, 'drift: spec.ports');
    assert.deepEqual(plan.actions[0]?.expected, {
      uid: memberOf(state, M1).service?.metadata?.uid,
      resourceVersion: memberOf(state, M1).service?.metadata?.resourceVersion,
    });
    assert.equal(converge(changed).rounds, 1);
  });

  it('re-creates the copies when the hub Service becomes headless, deleting each just before its create', () => {
    const { state } = converge(snapshot({ clusters: withSlices() }));
    const plan = planMcs({ ...state, hubService: hubService({ clusterIP: 'None' }) });
    assert.deepEqual(described(plan), [
      'delete Service default/nginx in member1',
      'delete Service default/nginx in member2',
      'create Service default/nginx in member1',
      'create Service default/nginx in member2',
    ]);
    assert.ok(plan.actions.slice(0, 2).every((a) => a.recreate === true));
    assert.equal(plan.actions[0]?.reason, 'recreate, drift: spec.clusterIP');
  });

  it('creates a missing namespace before anything in it, and never deletes it', () => {
    const start = snapshot({
      clusters: [
        member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ['10.10.0.5'])] }),
        member(M2, { namespace: null }),
      ],
    });
    const plan = planMcs(start);
    assert.deepEqual(described(plan), [
      'create Namespace default in member2',
      'create Service default/nginx in member1',
      'create Service default/nginx in member2',
      'create EndpointSlice default/member1-nginx-aaaaa in member2',
    ]);
    assert.deepEqual(plan.actions[0]?.object, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'default', labels: { 'app.kubernetes.io/created-by': 'mcs-bridge' } },
    });
    const { state } = converge(start);
    const deleted = planMcs({ ...state, mcs: mcs({ deleting: true }) });
    assert.ok(deleted.actions.every((a) => a.kind !== 'Namespace'));
  });

  it('hashes a copy name past 253 characters and then rests', () => {
    const long = `nginx-${'x'.repeat(247)}`;
    const { state } = converge(
      snapshot({ clusters: [member(M1, { slices: [localSlice(M1, long, ['10.10.0.5'])] }), member(M2)] }),
    );
    const copies = memberOf(state, M2).endpointSlices.map((s) => s.metadata?.name ?? '');
    assert.equal(copies.length, 1);
    assert.ok(isDnsSubdomain(copies[0] ?? ''), copies[0]);
    assert.match(copies[0] ?? '', /^member1-nginx-x+-[0-9a-f]{16}$/);
    assert.deepEqual(described(planMcs(state)), []);
  });

  it('gives distinct hashed names to two copies whose plain names collide', () => {
    const clusters = [
      member('a', { slices: [localSlice('a', 'b-c', ['10.1.0.1'])] }),
      member('a-b', { slices: [localSlice('a-b', 'c', ['10.2.0.1'])] }),
      member('z'),
    ];
    const { state } = converge(
      snapshot({ mcs: mcs({ providers: ['a', 'a-b'], consumers: ['z'] }), clusters }),
    );
    const names = memberOf(state, 'z').endpointSlices.map((s) => s.metadata?.name ?? '');
    assert.equal(new Set(names).size, 2);
    assert.ok(
      names.every((n) => /^a-b-c-[0-9a-f]{16}$/.test(n)),
      names.join(' '),
    );
  });

  it('changes nothing in the snapshot it plans from', () => {
    const start = snapshot({ clusters: withSlices() });
    const before = structuredClone(start);
    planMcs(start);
    assert.deepEqual(start, before);
  });
});
