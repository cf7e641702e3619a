/**
 * The engine beside Karmada's MultiClusterService controllers, on a fake hub: it waits for the
 * event that ends a wait instead of polling, and decides only on a cache that has seen its own
 * last write on the MultiClusterService.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import type { MultiClusterService } from '../../../lib/mcs-api.ts';
import { KarmadaCoexistence } from '../../../syncer/engine/karmada-coexistence.ts';
import { McsWriter } from '../../../syncer/engine/mcs-writer.ts';
import { SyncerMetrics } from '../../../syncer/engine/metrics.ts';
import { CONDITION_STANDING_DOWN } from '../../../syncer/karmada/status.ts';
import { SLICE_MANAGER_KARMADA_DISPATCH } from '../../../syncer/names.ts';
import type { McsSnapshot } from '../../../syncer/plan/snapshot.ts';
import { controllerOver, SLICES, SOURCE, sourceSlice, world } from './controller-world.ts';
import { FakeCluster } from './fake-cluster.ts';
import { settle } from './fake-list-watch.ts';
import { fakeTimers } from './fake-timers.ts';

const MCS = '/apis/networking.karmada.io/v1alpha1/namespaces/default/multiclusterservices/nginx';
const WORKS = '/apis/work.karmada.io/v1alpha1/works';
const KEY = 'default/nginx';

const standingDown = {
  type: CONDITION_STANDING_DOWN,
  status: 'True' as const,
  reason: 'KarmadaMachineryPresent',
  message: 'Karmada serves it',
  lastTransitionTime: '2030-01-01T00:00:00Z',
};

const running: KarmadaCoexistence[] = [];
afterEach(async () => {
  for (const k of running.splice(0)) await k.stop();
});

/** Coexistence over a fake hub holding one MCS that stands down; `changed` records onChange keys. */
async function setup(
  o: { worksServed?: boolean; takeover?: boolean; wallStep?: () => number; pull?: string[] } = {},
) {
  const hub = new FakeCluster('hub');
  const mcs = hub.seed(MCS, {
    apiVersion: 'networking.karmada.io/v1alpha1',
    kind: 'MultiClusterService',
    metadata: { name: 'nginx', namespace: 'default', uid: 'u1' },
    spec: { types: ['CrossCluster'] },
    status: { conditions: [standingDown] },
  } as never) as MultiClusterService;
  if (o.worksServed) hub.seed(WORKS, { kind: 'WorkList', items: [] } as never);
  const clock = fakeTimers();
  // The wall clock: the fake monotonic one, unless the test steps it.
  const wall = () => clock.now() + (o.wallStep?.() ?? 0);
  const changed: string[] = [];
  const logger = pino({ level: 'silent' });
  const coexistence = new KarmadaCoexistence({
    hub,
    // Only whether a member is in Pull mode is asked of the registry here.
    clusters: { get: (name: string) => (o.pull?.includes(name) ? { pull: true } : undefined) } as never,
    writer: new McsWriter(hub, logger, { monotonic: clock.now, wall }, 'test'),
    logger,
    metrics: new SyncerMetrics(new Registry()),
    now: wall,
    monotonic: clock.now,
    takeover: o.takeover ?? false,
    probeTimeoutMs: 10_000,
    onChange: (key) => changed.push(key),
    timers: clock.timers,
    workApiRecheckMs: 300_000,
  });
  running.push(coexistence);
  const snapshot = (
    m: MultiClusterService | undefined = mcs,
    hubSynced = true,
    clusters: McsSnapshot['clusters'] = [],
  ): McsSnapshot => ({
    namespace: 'default',
    name: 'nginx',
    hubSynced,
    mcs: m,
    clusters,
    now: wall(),
  });
  return { hub, mcs, clock, changed, coexistence, snapshot };
}

/** A Work of Karmada's MCS path for default/nginx in `karmada-es-<cluster>`, seeded on the hub. */
function seedWork(
  hub: FakeCluster,
  cluster: string,
  name: string,
  manifest: { kind: string; name: string },
  extra: { finalizers?: string[]; annotations?: Record<string, string> } = {},
) {
  hub.seed(`/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-${cluster}/works/${name}`, {
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: {
      name,
      namespace: `karmada-es-${cluster}`,
      uid: `uid-${name}`,
      ...extra,
      labels: {
        'multiclusterservice.karmada.io/name': 'nginx',
        'multiclusterservice.karmada.io/namespace': 'default',
      },
    },
    spec: { workload: { manifests: [{ kind: manifest.kind, metadata: { name: manifest.name } }] } },
  } as never);
}

describe('the engine beside Karmada', () => {
  it('hands a key to the planner only once the cache has seen its removal of StandingDown', async () => {
    const { hub, mcs, coexistence, snapshot } = await setup();
    await coexistence.start();
    const first = await coexistence.reconcile(KEY, snapshot());
    assert.deepEqual(first, { handled: true, recheck: true }, 'no requeue at 0 ms');
    const statusWrites = () => hub.requests.filter((r) => r === `PATCH ${MCS}/status`).length;
    assert.equal(statusWrites(), 1);
    // Reconciled again before the watch brought the write: still the old version in the cache.
    const again = await coexistence.reconcile(KEY, snapshot(mcs));
    assert.equal(again.handled, true, 'the planner does not run on the stale cache');
    assert.equal(statusWrites(), 1, 'and the condition is not removed twice');
    const seen = hub.get(MCS) as MultiClusterService;
    assert.deepEqual(await coexistence.reconcile(KEY, snapshot(seen)), { handled: false });
  });

  it('waits for the hub’s caches to sync without polling, and reconciles the waiting keys once they have', async () => {
    const { changed, coexistence, snapshot } = await setup();
    await coexistence.start();
    const outcome = await coexistence.reconcile(KEY, snapshot(undefined, false));
    assert.deepEqual(outcome, { handled: true, recheck: true }, 'a backed-off recheck, not every 500 ms');
    assert.deepEqual(changed, []);
    coexistence.cachesSynced();
    assert.deepEqual(changed, [KEY]);
  });

  it('asks the hub again whether it serves Karmada’s Works, so a Karmada installed later is seen', async () => {
    const { hub, clock, changed, coexistence } = await setup();
    await coexistence.start();
    assert.equal(coexistence.works.enabled, false, 'no Work API at start');
    hub.seed(WORKS, { kind: 'WorkList', items: [] } as never);
    seedWork(hub, 'member1', 'nginx-marker', { kind: 'MultiClusterService', name: 'nginx' });
    clock.advance(300_000);
    await settle();
    assert.equal(coexistence.works.enabled, true);
    assert.deepEqual(
      coexistence.works.worksOf(KEY).map((w) => `${w.namespace}/${w.name}`),
      ['karmada-es-member1/nginx-marker'],
    );
    assert.ok(changed.includes(KEY), 'its MCS is reconciled');
  });

  it('waits for the source slices to be relabelled with a backed-off recheck, not a poll every 500 ms', async () => {
    const { hub, clock, coexistence, snapshot } = await setup({ worksServed: true, takeover: true });
    seedWork(hub, 'member1', 'nginx-abc', { kind: 'EndpointSlice', name: 'nginx-abc' });
    await coexistence.start();
    await settle();
    const member1 = {
      name: 'member1',
      ready: true,
      synced: true,
      endpointSlices: [
        {
          metadata: {
            name: 'nginx-abc',
            namespace: 'default',
            labels: { 'kubernetes.io/service-name': 'nginx', 'karmada.io/managed': 'true' },
          },
          addressType: 'IPv4',
          endpoints: [],
        },
      ],
    };
    const probed = await coexistence.reconcile(
      KEY,
      snapshot(hub.get(MCS) as MultiClusterService, true, [member1]),
    );
    assert.equal(
      probed.requeueAfterMs,
      10_000,
      'the probe is sent, and answered within its timeout or not at all',
    );
    clock.advance(10_000);
    const outcome = await coexistence.reconcile(
      KEY,
      snapshot(hub.get(MCS) as MultiClusterService, true, [member1]),
    );
    assert.deepEqual(outcome, { handled: true, recheck: true });
  });

  it('waits out the probe’s timeout on the monotonic clock when the wall clock steps forward meanwhile', async () => {
    let step = 0;
    const { hub, clock, coexistence, snapshot } = await setup({
      worksServed: true,
      takeover: true,
      wallStep: () => step,
    });
    seedWork(hub, 'member1', 'nginx-marker', { kind: 'MultiClusterService', name: 'nginx' });
    await coexistence.start();
    await settle();
    const probed = await coexistence.reconcile(KEY, snapshot(hub.get(MCS) as MultiClusterService));
    assert.equal(probed.requeueAfterMs, 10_000, 'the probe is sent');
    clock.advance(1_000);
    step = 60_000;
    const outcome = await coexistence.reconcile(KEY, snapshot(hub.get(MCS) as MultiClusterService));
    assert.deepEqual(
      outcome,
      { handled: true, requeueAfterMs: 9_000 },
      "Karmada's controller still has 9 s to answer: nothing is taken over yet",
    );
  });

  it('forgets the probe of a MultiClusterService that was deleted', async () => {
    const { hub, coexistence, snapshot } = await setup({ worksServed: true, takeover: true });
    seedWork(hub, 'member1', 'nginx-marker', { kind: 'MultiClusterService', name: 'nginx' });
    await coexistence.start();
    await settle();
    await coexistence.reconcile(KEY, snapshot(hub.get(MCS) as MultiClusterService));
    const probes = (coexistence as unknown as { probes: Map<string, unknown> }).probes;
    assert.equal(probes.size, 1, 'probed');
    await coexistence.reconcile(KEY, { ...snapshot(), mcs: undefined });
    assert.equal(probes.size, 0);
  });

  it('keeps no propagation start time for a key it stands down for', async () => {
    const w = world();
    // Karmada's dispatcher holds a copy in the consumer: mcs-bridge stands down.
    w.member2.seed(`${SLICES}/member1-nginx-abc`, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'member1-nginx-abc',
        namespace: 'default',
        labels: {
          'kubernetes.io/service-name': 'nginx',
          'endpointslice.kubernetes.io/managed-by': SLICE_MANAGER_KARMADA_DISPATCH,
        },
      },
      addressType: 'IPv4',
      endpoints: [],
    } as never);
    const { controller } = await controllerOver(w, { karmada: { takeover: false, probeTimeoutMs: 10_000 } });
    w.member1.seed(SOURCE, sourceSlice('10.10.0.9') as never);
    await settle();
    const pendingSince = (controller as unknown as { pendingSince: Map<string, number> }).pendingSince;
    assert.deepEqual([...pendingSince.keys()], []);
  });

  describe('with member2 in Pull mode', () => {
    const EXECUTION = 'karmada.io/execution-controller';
    const DISPATCHED = '/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-member2/works/nginx-abc-64f6';
    const OURS =
      '/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-member2/works/mcs-bridge-endpointslice-default-member1-nginx-abc';
    const dispatched = { kind: 'EndpointSlice', name: 'member1-nginx-abc' };
    const member = (
      name: string,
      endpointSlices: McsSnapshot['clusters'][number]['endpointSlices'] = [],
    ) => ({
      name,
      ready: true,
      synced: true,
      endpointSlices,
    });

    it('takes over by releasing Karmada’s Work there without its execution finalizer, so the agent leaves the copy', async () => {
      const { hub, clock, coexistence, snapshot } = await setup({
        worksServed: true,
        takeover: true,
        pull: ['member2'],
      });
      seedWork(hub, 'member2', 'nginx-abc-64f6', dispatched, {
        finalizers: [EXECUTION],
        annotations: { 'endpointslice.karmada.io/provision-cluster': 'member1' },
      });
      const uid = (hub.get(DISPATCHED) as { metadata: { uid: string } }).metadata.uid;
      await coexistence.start();
      await settle();
      const clusters = [member('member1'), member('member2')];
      await coexistence.reconcile(KEY, snapshot(hub.get(MCS) as MultiClusterService, true, clusters));
      clock.advance(10_000);
      await coexistence.reconcile(KEY, snapshot(hub.get(MCS) as MultiClusterService, true, clusters));
      const onWork = hub.writes.filter((r) => r.includes(DISPATCHED));
      assert.deepEqual(onWork, [`PATCH ${DISPATCHED}`, `DELETE ${DISPATCHED} if uid=${uid} rv=`]);
    });

    it('hands back there by withdrawing our Work without its finalizer, once Karmada’s Work claims the copy', async () => {
      const { hub, coexistence, snapshot } = await setup({ worksServed: true, pull: ['member2'] });
      seedWork(hub, 'member2', 'nginx-abc-64f6', dispatched, {
        finalizers: [EXECUTION],
        annotations: { 'endpointslice.karmada.io/provision-cluster': 'member1' },
      });
      const stored = hub.seed(OURS, { metadata: { name: 'ours', finalizers: [EXECUTION] } } as never) as {
        metadata: { uid: string; resourceVersion: string };
      };
      await coexistence.start();
      await settle();
      // Our copy as the Pull member's client reads it back from our Work: the Work's uid and version.
      const ourCopy = {
        metadata: {
          name: 'member1-nginx-abc',
          namespace: 'default',
          uid: stored.metadata.uid,
          resourceVersion: stored.metadata.resourceVersion,
          labels: {
            'kubernetes.io/service-name': 'nginx',
            'endpointslice.kubernetes.io/managed-by': 'syncer.mcs-bridge.io',
          },
        },
        addressType: 'IPv4',
        endpoints: [],
      };
      await coexistence.reconcile(
        KEY,
        snapshot(hub.get(MCS) as MultiClusterService, true, [
          member('member1'),
          member('member2', [ourCopy]),
        ]),
      );
      const rv = ourCopy.metadata.resourceVersion;
      assert.deepEqual(
        hub.writes.filter((r) => r.includes('/karmada-es-member2/')),
        [`PUT ${OURS} rv=${rv}`, `DELETE ${OURS} if uid=${stored.metadata.uid} rv=`],
        'the finalizer by a replace (the chart grants no patch on our own Works), then the delete',
      );
      assert.equal(hub.get(OURS), undefined, 'our Work is gone');
    });
  });
});
