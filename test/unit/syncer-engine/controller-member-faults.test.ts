/**
 * The controller with a third member that is slow or silent, on fake clocks: what the e2e
 * suites syncer-slow-member and syncer-silent-member show on real processes (where their
 * timings are only hang guards), asserted here as how far the test's clock had to move.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Controller } from '../../../syncer/engine/controller.ts';
import { SyncerMetrics } from '../../../syncer/engine/metrics.ts';
import { LABEL_SERVICE_NAME, LABEL_SLICE_MANAGED_BY } from '../../../syncer/names.ts';
import type { ClusterSource } from '../../../syncer/sources/source.ts';
import { FakeCluster } from './fake-cluster.ts';
import { settle } from './fake-list-watch.ts';
import { fakeTimers } from './fake-timers.ts';

const NS = '/api/v1/namespaces/default';
const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
const SERVICES = '/api/v1/namespaces/default/services';
const mcsPath = (name: string) =>
  `/apis/networking.karmada.io/v1alpha1/namespaces/default/multiclusterservices/${name}`;

/** The source slice of Service `name` in member1, its endpoint 10.<marker>.0.1. */
const sourceSlice = (name: string, marker: number) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: `${name}-src`,
    namespace: 'default',
    labels: { [LABEL_SERVICE_NAME]: name, [LABEL_SLICE_MANAGED_BY]: 'endpointslice-controller.k8s.io' },
  },
  addressType: 'IPv4',
  endpoints: [{ addresses: [`10.${marker}.0.1`], conditions: { ready: true } }],
  ports: [{ name: '', port: 80, protocol: 'TCP' }],
});

/** `fast` from member1 to member2, and each of `far` from member1 to member3. */
function world(far: string[]) {
  const hub = new FakeCluster('hub');
  const members = {
    member1: new FakeCluster('member1'),
    member2: new FakeCluster('member2'),
    member3: new FakeCluster('member3'),
  };
  const exported: Array<[string, string]> = [
    ['fast', 'member2'],
    ...far.map((n): [string, string] => [n, 'member3']),
  ];
  for (const [name, consumer] of exported) {
    hub.seed(mcsPath(name), {
      apiVersion: 'networking.karmada.io/v1alpha1',
      kind: 'MultiClusterService',
      metadata: { name, namespace: 'default', generation: 1 },
      spec: {
        types: ['CrossCluster'],
        providerClusters: [{ name: 'member1' }],
        consumerClusters: [{ name: consumer }],
      },
    } as never);
    hub.seed(`${SERVICES}/${name}`, {
      metadata: { name, namespace: 'default' },
      spec: { type: 'ClusterIP', ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }] },
    } as never);
    members.member1.seed(`${SLICES}/${name}-src`, sourceSlice(name, 1) as never);
  }
  for (const m of Object.values(members))
    m.seed(NS, { metadata: { name: 'default' }, status: { phase: 'Active' } } as never);
  return { hub, ...members };
}

/** The endpoint of the copy of `name`'s source slice in `cluster`, if there is one. */
const copied = (cluster: FakeCluster, name: string) =>
  (cluster.get(`${SLICES}/member1-${name}-src`) as { endpoints?: { addresses: string[] }[] } | undefined)
    ?.endpoints?.[0]?.addresses[0];

const running: Controller[] = [];
afterEach(async () => {
  // Not drained: member3's writes are never answered.
  for (const c of running.splice(0)) await c.stopCaches();
});

/** A controller over `w` on fake clocks (not started). */
function controllerOver(w: ReturnType<typeof world>, clock: ReturnType<typeof fakeTimers>) {
  const members = { member1: w.member1, member2: w.member2, member3: w.member3 };
  for (const c of Object.values(w)) c.timers = clock.timers;
  const source: ClusterSource = {
    kind: 'test',
    synced: true,
    start: async (onChange) =>
      onChange(
        Object.keys(members).map((name) => ({
          name,
          kubeConfig: new KubeConfig(),
          sourceReady: true,
          fingerprint: name,
        })),
      ),
    stop: async () => {},
  };
  const controller = new Controller({
    hub: w.hub,
    source,
    logger: pino({ level: 'silent' }),
    metrics: new SyncerMetrics(new Registry()),
    clocks: { monotonic: clock.now, wall: () => 1_800_000_000_000 + clock.now() },
    timers: clock.timers,
    workers: 2,
    slowMemberWaitMs: 1_000,
    probeTimeoutMs: 5_000,
    healthIntervalMs: 3_600_000,
    resyncMs: 0,
    instance: 'test',
    clientFor: (def) => members[def.name as keyof typeof members],
  });
  running.push(controller);
  return controller;
}

/** Moves the clock in steps of 100 ms until `done()` or `limit` ms; returns how far it moved. */
async function advanceUntil(clock: ReturnType<typeof fakeTimers>, done: () => boolean, limit: number) {
  const from = clock.now();
  await settle();
  while (!done() && clock.now() - from < limit) {
    clock.advance(100);
    await settle();
  }
  return clock.now() - from;
}

describe('the controller beside a member that is slow or silent', () => {
  it('carries member1 → member2 changes within one slow-member wait while member3’s writes never end', async () => {
    const far = ['far-a', 'far-b', 'far-c', 'far-d', 'far-e', 'far-f'];
    const w = world(far);
    const clock = fakeTimers();
    const controller = controllerOver(w, clock);
    await controller.start();
    await controller.waitForSync(5_000);
    controller.runWorkers();
    await advanceUntil(clock, () => far.every((n) => copied(w.member3, n) === '10.1.0.1'), 10_000);
    assert.equal(copied(w.member2, 'fast'), '10.1.0.1');

    // From now on no write to member3 is answered; its work is queued first, with two workers.
    for (const n of far) w.member3.script('PUT', `${SLICES}/member1-${n}-src`, 'hang');
    for (const n of far) w.member1.seed(`${SLICES}/${n}-src`, sourceSlice(n, 2) as never);
    await settle();
    w.member1.seed(`${SLICES}/fast-src`, sourceSlice('fast', 2) as never);
    const took = await advanceUntil(clock, () => copied(w.member2, 'fast') === '10.2.0.1', 30_000);
    assert.equal(copied(w.member2, 'fast'), '10.2.0.1');
    // Two workers waiting out member3 for every one of its six keys would take 3 s and more.
    assert.ok(took <= 1_000, `member2 had the change after ${took} ms of the test's clock`);
    assert.equal(copied(w.member3, 'far-a'), '10.1.0.1', 'member3 still has none of it');
  });

  it('starts within one probe of a member that never answers, serves the others, and carries their changes at once', async () => {
    const w = world(['far']);
    w.member3.silent = true;
    const clock = fakeTimers();
    const controller = controllerOver(w, clock);
    let started = false;
    const starting = controller.start().then(() => {
      started = true;
    });
    const toStart = await advanceUntil(clock, () => started, 60_000);
    await starting;
    assert.equal(toStart, 5_000, 'start-up waited for member3 one probe timeout, no more');
    await controller.waitForSync(30_000);
    assert.equal(clock.now(), 5_000, 'the caches of the members that answer had synced');
    assert.equal(controller.clusters.get('member3')?.ready, false);
    controller.runWorkers();
    await settle();
    assert.equal(copied(w.member2, 'fast'), '10.1.0.1', 'member2 had its copy with no time passing');

    w.member1.seed(`${SLICES}/fast-src`, sourceSlice('fast', 2) as never);
    await settle();
    assert.equal(copied(w.member2, 'fast'), '10.2.0.1', 'and the change, with no time passing');
    assert.equal(clock.now(), 5_000);
  });
});
