/**
 * The controller with a Pull-mode member (engine/pull-member-client.ts): the member's API is
 * never called; its copies go as Works into its execution space on the (fake) hub, a Pull
 * provider's slices come from the agent's serviceExport reports there, and the agent's Applied
 * condition on our Works reaches the MCS status.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PullMemberClient } from '../../../syncer/engine/pull-member-client.ts';
import type { KarmadaWorkObject } from '../../../syncer/karmada/pull-works.ts';
import type { RawRequest } from '../../../syncer/kube/raw-api.ts';
import { LABEL_SERVICE_NAME, LABEL_SLICE_MANAGED_BY } from '../../../syncer/names.ts';
import { controllerOver as overWorld } from './controller-world.ts';
import { FakeCluster } from './fake-cluster.ts';
import { settle } from './fake-list-watch.ts';

const MCS = '/apis/networking.karmada.io/v1alpha1/namespaces/default/multiclusterservices/nginx';
const HUB_SVC = '/api/v1/namespaces/default/services/nginx';
const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
const works = (cluster: string) => `/apis/work.karmada.io/v1alpha1/namespaces/karmada-es-${cluster}/works`;

const sourceSlice = (ip: string) => ({
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

/** What member1's agent reports of its slice for an exported Service (Karmada's serviceExport controller). */
const report = (ip: string) => ({
  apiVersion: 'work.karmada.io/v1alpha1',
  kind: 'Work',
  metadata: {
    name: 'nginx-abc-7c9f5',
    namespace: 'karmada-es-member1',
    labels: {
      'endpointslice.karmada.io/managed-by': 'ServiceExport',
      'endpointslice.karmada.io/name': 'nginx',
      'endpointslice.karmada.io/namespace': 'default',
    },
  },
  spec: { workload: { manifests: [sourceSlice(ip)] } },
});

/** The seed from member1 to member2 on fake clusters, with `pull` joined in Pull mode. */
function world(pull: 'member1' | 'member2') {
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
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      selector: { app: 'nginx' },
    },
  } as never);
  for (const c of [hub, member1, member2])
    c.seed('/api/v1/namespaces/default', {
      metadata: { name: 'default' },
      status: { phase: 'Active' },
    } as never);
  if (pull === 'member1') hub.seed(`${works('member1')}/nginx-abc-7c9f5`, report('10.10.0.5') as never);
  else member1.seed(`${SLICES}/nginx-abc`, sourceSlice('10.10.0.5') as never);
  return { hub, member1, member2, pull };
}
type World = ReturnType<typeof world>;

/** A controller over `w` whose Pull member gets no client of its own: it is reached through the hub. */
function controllerOver(w: World) {
  const members: Record<string, FakeCluster> = { member1: w.member1, member2: w.member2 };
  return overWorld(w, { clientFor: (def) => (def.pull ? undefined : members[def.name]) }, w.pull);
}

const hubWrites = (w: World, from = 0) =>
  w.hub.requests.slice(from).filter((r) => /^(POST|PUT|DELETE) \/apis\/work/.test(r));

/** The agent's report on one of our Works: Applied True, or False with its message. */
function agentApplies(w: World, path: string, applied: true | string) {
  const work = w.hub.get(path) as KarmadaWorkObject;
  const condition =
    applied === true
      ? {
          type: 'Applied',
          status: 'True',
          reason: 'AppliedSuccessful',
          message: 'Manifest has been successfully applied',
        }
      : { type: 'Applied', status: 'False', reason: 'AppliedFailed', message: applied };
  w.hub.seed(path, {
    ...work,
    status: { conditions: [{ ...condition, lastTransitionTime: '2026-12-07T18:00:00Z' }] },
  } as never);
}

type Conditions = {
  status: { conditions: { type: string; status: string; reason: string; message: string }[] };
};
const conditionOf = (w: World, type: string) =>
  (w.hub.get(MCS) as Conditions).status.conditions.find((c) => c.type === type);

describe('a Pull-mode consumer', () => {
  it('gets the Service and the slice copy as Works in its execution space, and its API is never called', async () => {
    const w = world('member2');
    await controllerOver(w);
    assert.deepEqual(hubWrites(w), [
      `POST ${works('member2')} mcs-bridge-service-default-nginx`,
      `POST ${works('member2')} mcs-bridge-endpointslice-default-member1-nginx-abc`,
    ]);
    assert.deepEqual(w.member2.requests, [], 'nothing reached member2’s API server');
    const copy = w.hub.get(
      `${works('member2')}/mcs-bridge-endpointslice-default-member1-nginx-abc`,
    ) as KarmadaWorkObject;
    const slice = copy.spec?.workload?.manifests?.[0] as { endpoints: { addresses: string[] }[] };
    assert.deepEqual(slice.endpoints[0]?.addresses, ['10.10.0.5']);
  });

  it('writes nothing more at steady state, nor when the agent reports its Works applied', async () => {
    const w = world('member2');
    await controllerOver(w);
    const mark = w.hub.requests.length;
    agentApplies(w, `${works('member2')}/mcs-bridge-service-default-nginx`, true);
    agentApplies(w, `${works('member2')}/mcs-bridge-endpointslice-default-member1-nginx-abc`, true);
    await settle();
    assert.deepEqual(hubWrites(w, mark), []);
    assert.equal(conditionOf(w, 'EndpointSliceDispatched')?.status, 'True');
  });

  it('carries a change of the source slice with one replace of the copy’s Work', async () => {
    const w = world('member2');
    await controllerOver(w);
    const path = `${works('member2')}/mcs-bridge-endpointslice-default-member1-nginx-abc`;
    const before = (w.hub.get(path) as KarmadaWorkObject).metadata?.resourceVersion;
    const mark = w.hub.requests.length;
    w.member1.seed(`${SLICES}/nginx-abc`, sourceSlice('10.10.0.6') as never);
    await settle();
    assert.deepEqual(hubWrites(w, mark), [`PUT ${path} rv=${before}`]);
  });

  it('reports a Work its agent refused on the MCS, with the agent’s message', async () => {
    const w = world('member2');
    await controllerOver(w);
    agentApplies(
      w,
      `${works('member2')}/mcs-bridge-endpointslice-default-member1-nginx-abc`,
      'default/member1-nginx-abc already exists in the cluster member2 and the work.karmada.io/conflict-resolution strategy value is empty',
    );
    await settle();
    const c = conditionOf(w, 'EndpointSliceDispatched');
    assert.equal(c?.status, 'False');
    assert.equal(c?.reason, 'WorkNotApplied');
    assert.match(
      c?.message ?? '',
      /karmada-es-member2\/mcs-bridge-endpointslice-default-member1-nginx-abc not applied by the cluster's karmada-agent: .*already exists/,
    );
    assert.equal(conditionOf(w, 'ServiceApplied')?.status, 'True');
  });

  it('deletes every Work it made when the MCS is deleted, and then its finalizer', async () => {
    const w = world('member2');
    const { clock } = await controllerOver(w);
    const mark = w.hub.requests.length;
    const mcs = w.hub.get(MCS) as { metadata: Record<string, unknown> };
    w.hub.seed(MCS, {
      ...mcs,
      metadata: { ...mcs.metadata, deletionTimestamp: '2030-01-01T00:00:00Z' },
    } as never);
    await settle();
    // The plan looks at the finalizer again once its deletes are in the caches.
    clock.advance(500);
    await settle();
    const deletes = hubWrites(w, mark).map((r) => r.replace(/ if uid=.*/, ''));
    assert.deepEqual(deletes.sort(), [
      `DELETE ${works('member2')}/mcs-bridge-endpointslice-default-member1-nginx-abc`,
      `DELETE ${works('member2')}/mcs-bridge-service-default-nginx`,
    ]);
    assert.deepEqual((w.hub.get(MCS) as { metadata: { finalizers: string[] } }).metadata.finalizers, []);
  });
});

describe('a Pull-mode member’s namespaces', () => {
  it('are taken as there: the syncer writes no namespace there, and nothing more at steady state', async (t) => {
    const w = world('member2');
    const mcs = w.hub.get(MCS) as { metadata: Record<string, unknown> };
    const inWeb = (o: { metadata: Record<string, unknown> }) => ({
      ...o,
      metadata: { ...o.metadata, namespace: 'web' },
    });
    w.hub.remove(MCS);
    w.hub.seed(MCS.replace('/default/', '/web/'), inWeb(mcs) as never);
    w.hub.seed(HUB_SVC.replace('/default/', '/web/'), inWeb(w.hub.get(HUB_SVC) as never) as never);
    w.hub.seed('/api/v1/namespaces/web', { metadata: { name: 'web' } } as never);
    w.member1.seed('/api/v1/namespaces/web', { metadata: { name: 'web' } } as never);
    const source = w.member1.get(`${SLICES}/nginx-abc`) as { metadata: Record<string, unknown> };
    w.member1.seed(`${SLICES.replace('/default/', '/web/')}/nginx-abc`, inWeb(source) as never);
    // Every write the engine asks of the Pull member's client, answered locally or not.
    const asked: string[] = [];
    const write = PullMemberClient.prototype.write;
    t.mock.method(
      PullMemberClient.prototype,
      'write',
      function (this: PullMemberClient, verb: string, r: RawRequest) {
        asked.push(`${r.method} ${r.path}`);
        return write.call(this, verb, r);
      },
    );
    const { controller } = await controllerOver(w);
    assert.deepEqual(
      asked.filter((a) => a.includes('/namespaces') && !a.includes('/namespaces/web/')),
      [],
      'no namespace create asked of the Pull member',
    );
    assert.deepEqual(hubWrites(w), [
      `POST ${works('member2')} mcs-bridge-service-web-nginx`,
      `POST ${works('member2')} mcs-bridge-endpointslice-web-member1-nginx-abc`,
    ]);
    const mark = w.hub.requests.length;
    controller.enqueueAll(true);
    await settle();
    assert.deepEqual(
      w.hub.requests.slice(mark).filter((r) => /^(POST|PUT|PATCH|DELETE) /.test(r)),
      [],
    );
  });
});

describe('a Pull-mode provider', () => {
  it('gets the Service with its ServiceExport as a Work, and its reported slice reaches the consumer', async () => {
    const w = world('member1');
    await controllerOver(w);
    assert.deepEqual(hubWrites(w), [`POST ${works('member1')} mcs-bridge-service-default-nginx`]);
    const svc = w.hub.get(`${works('member1')}/mcs-bridge-service-default-nginx`) as KarmadaWorkObject;
    assert.deepEqual(
      svc.spec?.workload?.manifests?.map((m) => m.kind),
      ['Service', 'ServiceExport'],
    );
    assert.ok(w.member2.writes.includes(`POST ${SLICES} member1-nginx-abc`));
    assert.deepEqual(w.member1.requests, [], 'nothing reached member1’s API server');
  });

  it('carries a new report of its slice to the consumer', async () => {
    const w = world('member1');
    await controllerOver(w);
    w.hub.seed(`${works('member1')}/nginx-abc-7c9f5`, report('10.10.0.9') as never);
    await settle();
    const copy = w.member2.get(`${SLICES}/member1-nginx-abc`) as { endpoints: { addresses: string[] }[] };
    assert.deepEqual(copy.endpoints[0]?.addresses, ['10.10.0.9']);
  });
});

describe('the client of a Pull-mode member', () => {
  it('shows the namespaces Karmada’s namespace Works carry, and default, and creates none', async () => {
    const hub = new FakeCluster('hub');
    hub.seed(`${works('member2')}/web-7f9c`, {
      metadata: { name: 'web-7f9c', namespace: 'karmada-es-member2' },
      spec: { workload: { manifests: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } }] } },
    } as never);
    const client = new PullMemberClient({ cluster: 'member2', hub });
    const list = await client.list('/api/v1/namespaces', (o) => o);
    assert.deepEqual(
      list.items.map((n) => n.metadata?.name),
      ['default', 'web'],
    );
    await assert.rejects(
      client.write('create', {
        method: 'POST',
        path: '/api/v1/namespaces',
        body: { metadata: { name: 'shop' } },
      }),
      /AlreadyExists|409/,
    );
    assert.deepEqual(hub.writes, [], 'no Work written for a namespace');
  });

  it('refuses what the control plane cannot see of the member, saying why', async () => {
    const client = new PullMemberClient({ cluster: 'member2', hub: new FakeCluster('hub') });
    await assert.rejects(
      client.list('/api/v1/nodes', (o) => o),
      /a Pull-mode cluster is reached only through the Works of karmada-es-member2.*HTTP 403|403/,
    );
  });
});
