import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { workFact } from '../../../syncer/karmada/facts.ts';
import {
  adoptedService,
  adoptedSlice,
  handedBackSlice,
  unlabelledService,
} from '../../../syncer/karmada/rewrites.ts';
import { CONDITION_STANDING_DOWN, standingDownConditions } from '../../../syncer/karmada/status.ts';
import { isOwnedService } from '../../../syncer/plan/service.ts';
import { isOwnedSlice, sourceClusterOf } from '../../../syncer/plan/slices.ts';
import { M1, M2, T0 } from './fixtures.ts';
import { COPY, karmadaCopy, karmadaService, SOURCE, work } from './karmada-fixtures.ts';

const PROBE = 'mcs-bridge.io/karmada-probe';

describe('Karmada’s Works as the syncer caches them', () => {
  const base = (o: { kind: string; annotations?: Record<string, string>; namespace?: string }) => ({
    metadata: {
      name: 'w',
      namespace: o.namespace ?? 'karmada-es-member1',
      labels: {
        'multiclusterservice.karmada.io/name': 'nginx',
        'multiclusterservice.karmada.io/namespace': 'demo',
      },
      annotations: o.annotations,
    },
    spec: {
      workload: {
        manifests: [{ kind: o.kind, metadata: { name: 'm', annotations: { [PROBE]: 'p1', other: 'x' } } }],
      },
    },
  });
  const table = [
    {
      name: 'a Work holding the MultiClusterService is a marker, and carries the probe it mirrors',
      w: base({ kind: 'MultiClusterService' }),
      want: ['marker', 'p1'],
    },
    {
      name: 'a Work holding an EndpointSlice in a provider’s space is a collected slice',
      w: base({ kind: 'EndpointSlice' }),
      want: ['collected', undefined],
    },
    {
      name: 'a Work naming its provision cluster is a dispatched copy',
      w: base({ kind: 'EndpointSlice', annotations: { 'endpointslice.karmada.io/provision-cluster': M1 } }),
      want: ['dispatched', undefined],
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      const f = workFact(t.w, PROBE);
      assert.deepEqual(
        [f?.role, f?.probe, f?.cluster, `${f?.mcsNamespace}/${f?.mcsName}`],
        [...t.want, M1, 'demo/nginx'],
      );
    });
  }

  it('ignores a Work outside Karmada’s execution spaces', () => {
    assert.equal(workFact(base({ kind: 'MultiClusterService', namespace: 'default' }), PROBE), undefined);
  });
});

describe('moving a member object between Karmada and mcs-bridge in place', () => {
  it('adopts Karmada’s copy as ours: our labels, none of Karmada’s, the same endpoints, guarded by its resourceVersion', () => {
    const cached = karmadaCopy();
    const body = adoptedSlice(cached);
    assert.ok(body && isOwnedSlice(body));
    assert.equal(sourceClusterOf(body), M1);
    assert.deepEqual(Object.keys(body.metadata?.labels ?? {}).sort(), [
      'endpointslice.kubernetes.io/managed-by',
      'kubernetes.io/service-name',
      'multicluster.kubernetes.io/source-cluster',
    ]);
    assert.deepEqual(body.metadata?.annotations, { 'endpointslice.karmada.io/provision-cluster': M1 });
    assert.deepEqual(
      (body.endpoints ?? []).map((e) => e.addresses[0]),
      ['10.10.1.1', '10.10.1.2'],
    );
    assert.equal(body.metadata?.resourceVersion, cached.metadata?.resourceVersion);
    assert.equal(body.metadata?.name, COPY);
  });

  it('adopts Karmada’s Service copy with its cluster IP, other people’s annotations, and none of Karmada’s marks', () => {
    const cached = karmadaService('10.98.137.172', { 'team.example.com/owner': 'web' });
    const body = adoptedService(cached, 'nginx');
    assert.ok(isOwnedService(body));
    assert.equal(body.spec?.clusterIP, '10.98.137.172');
    assert.deepEqual(body.metadata?.labels, {
      'team.example.com/owner': 'web',
      'app.kubernetes.io/managed-by': 'mcs-bridge',
      'mcs-bridge.io/multiclusterservice': 'nginx',
    });
    assert.deepEqual(body.metadata?.annotations, { 'example.com/kept': 'yes' });
    assert.equal(body.metadata?.resourceVersion, cached.metadata?.resourceVersion);
    assert.equal(body.metadata?.managedFields, undefined);
  });

  it('hands our copy back labelled as the Work’s, which Karmada’s work-status controller then adopts', () => {
    const ours = adoptedSlice(karmadaCopy());
    assert.ok(ours);
    const body = handedBackSlice(
      { ...ours, metadata: { ...ours.metadata, resourceVersion: '42' } },
      work('dispatched', M2),
    );
    assert.deepEqual(body.metadata?.labels, {
      'kubernetes.io/service-name': 'nginx',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-dispatch-controller.karmada.io',
      'karmada.io/managed': 'true',
    });
    assert.deepEqual(body.metadata?.annotations, {
      'endpointslice.karmada.io/provision-cluster': M1,
      'work.karmada.io/name': `${SOURCE}-64f6b7b8bf`,
      'work.karmada.io/namespace': 'karmada-es-member2',
    });
    assert.equal(body.metadata?.resourceVersion, '42');
    assert.equal(body.endpoints?.length, 2);
  });

  it('drops only our labels from a Service Karmada has overwritten', () => {
    const cached = karmadaService('10.98.0.9', {
      'app.kubernetes.io/managed-by': 'mcs-bridge',
      'mcs-bridge.io/multiclusterservice': 'nginx',
    });
    const body = unlabelledService(cached);
    assert.equal(isOwnedService(body), false);
    assert.equal(body.metadata?.labels?.['karmada.io/managed'], 'true');
    assert.equal(body.metadata?.resourceVersion, cached.metadata?.resourceVersion);
  });
});

describe('the StandingDown condition', () => {
  const down = { reason: 'KarmadaMachineryPresent' as const, message: 'Karmada serves it' };
  const karmadas = [
    {
      type: 'ServiceApplied',
      status: 'True' as const,
      reason: 'ServiceAppliedSucceed',
      message: 'm',
      lastTransitionTime: 't0',
    },
  ];

  it('appears once beside Karmada’s own conditions, which it leaves as they are', () => {
    const first = standingDownConditions(karmadas, down, T0);
    assert.equal(first.changed, true);
    assert.deepEqual(
      first.conditions.map((c) => c.type),
      ['ServiceApplied', CONDITION_STANDING_DOWN],
    );
    assert.deepEqual(first.conditions[0], karmadas[0]);
    const again = standingDownConditions(first.conditions, down, T0 + 60_000);
    assert.equal(again.changed, false, 'the same decision later writes nothing');
    assert.deepEqual(again.conditions, first.conditions, 'and keeps lastTransitionTime');
  });

  it('changes its message without a transition, and goes when mcs-bridge serves', () => {
    const first = standingDownConditions(karmadas, down, T0);
    const other = standingDownConditions(first.conditions, { ...down, message: 'other' }, T0 + 1000);
    assert.equal(other.changed, true);
    assert.equal(other.conditions[1]?.lastTransitionTime, first.conditions[1]?.lastTransitionTime);
    const gone = standingDownConditions(other.conditions, undefined, T0 + 2000);
    assert.deepEqual([gone.changed, gone.conditions], [true, karmadas]);
    assert.equal(standingDownConditions(karmadas, undefined, T0).changed, false);
  });
});
