/** The controller's test world: fake hub and members, a controller over them, the writes each received. */
import { afterEach } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { Controller, type ControllerOptions } from '../../../syncer/engine/controller.ts';
import { SyncerMetrics } from '../../../syncer/engine/metrics.ts';
import { LABEL_SERVICE_NAME, LABEL_SLICE_MANAGED_BY } from '../../../syncer/names.ts';
import type { ClusterSource, MemberDefinition } from '../../../syncer/sources/source.ts';
import { FakeCluster } from './fake-cluster.ts';
import { settle } from './fake-list-watch.ts';
import { fakeTimers } from './fake-timers.ts';

export const MCS = '/apis/networking.karmada.io/v1alpha1/namespaces/default/multiclusterservices/nginx';
export const HUB_SVC = '/api/v1/namespaces/default/services/nginx';
export const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
export const SOURCE = `${SLICES}/nginx-abc`;
export const COPY = `${SLICES}/member1-nginx-abc`;

export const sourceSlice = (ip: string) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: 'nginx-abc',
    namespace: 'default',
    labels: { [LABEL_SERVICE_NAME]: 'nginx', [LABEL_SLICE_MANAGED_BY]: 'endpointslice-controller.k8s.io' },
  },
  addressType: 'IPv4',
  endpoints: [{ addresses: [ip], conditions: { ready: true } }],
  ports: [{ name: '', port: 80, protocol: 'TCP' }],
});

/** The seed on fake clusters: an MCS from member1 to member2, a hub Service, a source slice. */
export function world() {
  const hub = new FakeCluster('hub');
  const member1 = new FakeCluster('member1');
  const member2 = new FakeCluster('member2');
  hub.seed(MCS, {
    apiVersion: 'networking.karmada.io/v1alpha1',
    kind: 'MultiClusterService',
    metadata: { name: 'nginx', namespace: 'default', generation: 1 },
    spec: {
      types: ['CrossCluster'],
      providerClusters: [{ name: 'member1' }],
      consumerClusters: [{ name: 'member2' }],
    },
  } as never);
  hub.seed(HUB_SVC, {
    metadata: { name: 'nginx', namespace: 'default' },
    spec: {
      type: 'ClusterIP',
      clusterIP: '10.96.0.10',
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    },
  } as never);
  for (const m of [member1, member2])
    m.seed('/api/v1/namespaces/default', {
      metadata: { name: 'default' },
      status: { phase: 'Active' },
    } as never);
  member1.seed(SOURCE, sourceSlice('10.10.0.5') as never);
  return { hub, member1, member2 };
}

export type World = ReturnType<typeof world>;

const running: Controller[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) {
    await c.drainWrites();
    await c.stopCaches();
  }
});

/**
 * A controller over `w`, started, caches synced, workers running; `pull` names a member its
 * source calls a Karmada Pull-mode cluster.
 */
export async function controllerOver(
  w: Pick<World, 'hub' | 'member1' | 'member2'>,
  extra: Partial<ControllerOptions> = {},
  pull?: string,
) {
  const clock = fakeTimers();
  const defs: MemberDefinition[] = ['member1', 'member2'].map((name) => ({
    name,
    kubeConfig: new KubeConfig(),
    sourceReady: true,
    fingerprint: name,
    ...(name === pull ? { pull: true } : {}),
  }));
  const source: ClusterSource = {
    kind: 'test',
    synced: true,
    start: async (onChange) => onChange(defs),
    stop: async () => {},
  };
  const members: Record<string, FakeCluster> = { member1: w.member1, member2: w.member2 };
  const controller = new Controller({
    hub: w.hub,
    source,
    logger: pino({ level: 'silent' }),
    metrics: new SyncerMetrics(new Registry()),
    clocks: { monotonic: clock.now, wall: clock.now },
    timers: clock.timers,
    workers: 2,
    healthIntervalMs: 3_600_000,
    resyncMs: 0,
    instance: 'test',
    clientFor: (def) => members[def.name] ?? new FakeCluster(def.name),
    ...extra,
  });
  running.push(controller);
  await controller.start();
  await controller.waitForSync(5_000);
  // The members' networks (nodes, ServiceCIDRs) are read in the background; let their first
  // reads land before the workers run, so each test starts from one known order of triggers.
  await settle();
  controller.runWorkers();
  await settle();
  return { controller, clock };
}

/** Writes made since `mark` (an index into `requests`), per cluster. */
export function writesSince(w: World, mark: Record<string, number>) {
  const out: Record<string, string[]> = {};
  for (const [name, c] of Object.entries(w)) {
    out[name] = c.requests.slice(mark[name] ?? 0).filter((r) => /^(POST|PUT|PATCH|DELETE) /.test(r));
  }
  return out;
}
export const markOf = (w: World) =>
  Object.fromEntries(Object.entries(w).map(([n, c]) => [n, c.requests.length]));
