/**
 * Karmada's control plane on a sandbox's hub (`up({ karmada })`): Karmada's CRDs, its
 * aggregated apiserver serving `cluster.karmada.io` behind the hub's aggregator, karmada-webhook
 * registered with Karmada's own webhook configuration, karmada-controller-manager and
 * karmada-scheduler; then member1 and member2 join in Push mode, as `karmadactl join` would
 * make them: a Cluster object each and a Secret with its token and CA in karmada-cluster, or,
 * those in `pullMembers`, in Pull mode, as `karmadactl register` would (karmada-agent.ts).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { probe, waitReady } from './health.ts';
import { preparePullJoin } from './karmada-agent.ts';
import {
  aggregatedApiObjects,
  KARMADA_CLUSTER,
  KARMADA_SYSTEM,
  karmadaFiles,
  karmadaWebhookConfiguration,
} from './karmada-commands.ts';
import { type ClusterName, KARMADA_COMPONENTS, MEMBERS, type PullMember } from './layout.ts';
import type { Sandbox } from './sandbox.ts';

/** Karmada's Cluster API, served by the aggregated apiserver. */
export const CLUSTER_API = { group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters' };
/** Karmada's ResourceBindings: where the scheduler placed a namespaced resource. */
export const BINDING_API = { group: 'work.karmada.io', version: 'v1alpha2', plural: 'resourcebindings' };
/** Karmada's Works: the manifests its execution controller writes into one member. */
export const WORK_API = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' };

/** A Karmada Cluster as the sandbox reads it. */
interface ClusterObject {
  metadata?: { name?: string };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/** Starts Karmada on a sandbox whose clusters are up, and waits until member1 and member2 are Ready in it. */
export async function startKarmada(
  sb: Sandbox,
  log: (line: string) => void,
  timeoutMs: number,
): Promise<void> {
  const files = karmadaFiles(sb.binDir);
  const objects = KubernetesObjectApi.makeApiClient(sb.kubeConfig('hub'));
  const create = (o: KubernetesObject) => objects.create(o);

  const crds = await loadDir(files.crdsDir);
  for (const crd of crds) await create(crd);
  await waitReady({
    what: `Karmada's ${crds.length} CRDs on the hub`,
    timeoutMs,
    ready: async () => {
      for (const crd of crds) {
        const got = (await objects.read({ ...crd, metadata: { name: crd.metadata?.name ?? '' } })) as {
          status?: { conditions?: { type: string; status: string }[] };
        };
        if (!got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
          return false;
      }
      return true;
    },
  });
  const core = sb.kubeConfig('hub').makeApiClient(CoreV1Api);
  for (const name of [KARMADA_SYSTEM, KARMADA_CLUSTER])
    await core.createNamespace({ body: { metadata: { name } } });

  await sb.startComponent({ component: 'karmada-aggregated-apiserver' }, timeoutMs);
  const apiText = await readFile(files.aggregatedApiService, 'utf8');
  for (const o of aggregatedApiObjects(apiText, sb.layout, sb.admin.caPem)) {
    await create(o);
  }
  await waitReady({
    what: 'cluster.karmada.io/v1alpha1 through the hub (APIService → karmada-aggregated-apiserver)',
    logFile: path.join(sb.layout.logsDir, 'karmada-aggregated-apiserver.log'),
    timeoutMs,
    ready: async () => {
      const r = await probe(`${sb.server('hub')}/apis/cluster.karmada.io/v1alpha1/clusters`, {
        ca: sb.admin.caPem,
        token: sb.admin.token,
      });
      if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.body.slice(0, 200)}`);
      return true;
    },
  });

  // The webhook serves before it is registered: its configuration fails closed.
  await sb.startComponent({ component: 'karmada-webhook' }, timeoutMs);
  const webhookText = await readFile(files.webhookConfiguration, 'utf8');
  for (const o of loadAllYaml(karmadaWebhookConfiguration(webhookText, sb.layout, sb.admin.caPem))) {
    await create(o as KubernetesObject);
  }
  for (const component of KARMADA_COMPONENTS.slice(2)) await sb.startComponent({ component }, timeoutMs);

  const pull = sb.karmada?.pullMembers ?? [];
  log(
    `Karmada running; joining ${MEMBERS.map((m) => `${m} in ${pull.includes(m) ? 'Pull' : 'Push'} mode`).join(', ')}`,
  );
  for (const member of MEMBERS) {
    if (pull.includes(member)) await joinPull(sb, member, timeoutMs);
    else await joinMember(sb, member);
  }
  await waitClustersReady(sb, MEMBERS, timeoutMs);
}

/** Joins a member in Pull mode: register's objects on the hub, the CRD in the member, then its karmada-agent. */
async function joinPull(sb: Sandbox, member: PullMember, timeoutMs: number): Promise<void> {
  await preparePullJoin(sb, member, karmadaFiles(sb.binDir).crdsDir);
  await sb.startComponent({ component: 'karmada-agent', cluster: member }, timeoutMs);
}

/**
 * Makes a member leave and join again in `mode` (the sandbox's options already say which): its
 * Cluster is deleted while its agent, if any, still runs (the agent takes the finalizers of its
 * Works off), Karmada removes the execution space, then the member joins anew.
 */
export async function rejoinMember(
  sb: Sandbox,
  member: PullMember,
  mode: 'Push' | 'Pull',
  timeoutMs: number,
): Promise<void> {
  const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
  const core = sb.kubeConfig('hub').makeApiClient(CoreV1Api);
  // As `karmadactl unregister` does: the Works first, while the agent still runs to remove what
  // they applied (the agent's Role lives in the execution space and goes with it).
  // Whatever still makes Works there (a controller of a suite that did not clean up) makes
  // that wait endless: after a while the member leaves anyway.
  await deleteWorks(sb, member, Math.min(timeoutMs, 30_000)).catch(() => undefined);
  await custom.deleteClusterCustomObject({ ...CLUSTER_API, name: member }).catch(notFoundIsFine);
  const space = `karmada-es-${member}`;
  await waitReady({
    what: `Cluster ${member} and its execution space ${space} gone`,
    logFile: path.join(sb.layout.logsDir, 'karmada-controller-manager.log'),
    timeoutMs,
    ready: async () => {
      const cluster = await custom
        .getClusterCustomObject({ ...CLUSTER_API, name: member })
        .catch(() => undefined);
      const ns = await core.readNamespace({ name: space }).catch(() => undefined);
      if (cluster === undefined && ns === undefined) return true;
      // A Work made after the sweep keeps its finalizer while the agent's Role is gone with
      // the namespace: take it off, as Karmada does for a not-ready Pull member's Works.
      if (ns?.status?.phase === 'Terminating') await releaseWorks(sb, space);
      return false;
    },
  });
  const agent = { component: 'karmada-agent', cluster: member } as const;
  if (await sb.isRunning(agent)) await sb.stopComponent(agent);
  await core.deleteNamespacedSecret({ namespace: KARMADA_CLUSTER, name: member }).catch(notFoundIsFine);
  if (mode === 'Pull') await joinPull(sb, member, timeoutMs);
  else await joinMember(sb, member);
  await waitClustersReady(sb, [member], timeoutMs);
}

/**
 * Deletes every Work of a member's execution space until none is left, as `karmadactl
 * unregister` does (pkg/karmadactl/util EnsureWorksDeleted: once a second, whatever controllers
 * make again meanwhile).
 */
export async function deleteWorks(sb: Sandbox, member: PullMember, timeoutMs: number): Promise<void> {
  const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
  const namespace = `karmada-es-${member}`;
  await waitReady({
    what: `the Works of ${namespace} deleted`,
    timeoutMs,
    ready: async () => {
      const list = (await custom
        .listNamespacedCustomObject({ ...WORK_API, namespace })
        .catch(() => ({ items: [] }))) as { items: { metadata?: { name?: string } }[] };
      if (list.items.length === 0) return true;
      for (const w of list.items)
        await custom
          .deleteNamespacedCustomObject({ ...WORK_API, namespace, name: w.metadata?.name ?? '' })
          .catch(notFoundIsFine);
      await new Promise((r) => setTimeout(r, 1_000));
      return false;
    },
  });
}

/** Takes the execution controller's finalizer off every Work left in a terminating execution space. */
async function releaseWorks(sb: Sandbox, namespace: string): Promise<void> {
  const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
  const list = (await custom
    .listNamespacedCustomObject({ ...WORK_API, namespace })
    .catch(() => ({ items: [] }))) as { items: { metadata?: { name?: string; finalizers?: string[] } }[] };
  for (const w of list.items) {
    if (!(w.metadata?.finalizers ?? []).length) continue;
    await custom
      .patchNamespacedCustomObject(
        { ...WORK_API, namespace, name: w.metadata?.name ?? '', body: { metadata: { finalizers: null } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .catch(() => undefined);
  }
}

function notFoundIsFine(err: unknown): void {
  if ((err as { code?: number }).code !== 404) throw err;
}

/** Every object of every YAML file in a folder, in file-name order. */
async function loadDir(dir: string): Promise<KubernetesObject[]> {
  const names = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const texts = await Promise.all(names.map((f) => readFile(path.join(dir, f), 'utf8')));
  return texts.flatMap((t) => loadAllYaml(t) as KubernetesObject[]).filter(Boolean);
}

/**
 * Joins a member in Push mode: its token and CA in a Secret in karmada-cluster, and a Cluster
 * whose secretRef names it (the sandbox admin's token: the identity Karmada's controllers
 * use in the member, as `karmadactl join` gives them cluster-admin).
 */
export async function joinMember(sb: Sandbox, member: ClusterName): Promise<void> {
  await sb
    .kubeConfig('hub')
    .makeApiClient(CoreV1Api)
    .createNamespacedSecret({
      namespace: KARMADA_CLUSTER,
      body: { metadata: { name: member }, stringData: { token: sb.admin.token, caBundle: sb.admin.caPem } },
    });
  await sb
    .kubeConfig('hub')
    .makeApiClient(CustomObjectsApi)
    .createClusterCustomObject({
      ...CLUSTER_API,
      body: {
        apiVersion: 'cluster.karmada.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name: member },
        spec: {
          apiEndpoint: sb.server(member),
          syncMode: 'Push',
          secretRef: { namespace: KARMADA_CLUSTER, name: member },
        },
      },
    });
}

/** Waits until Karmada's cluster-status controller says each cluster is Ready. */
export async function waitClustersReady(
  sb: Sandbox,
  clusters: readonly ClusterName[],
  timeoutMs: number,
): Promise<void> {
  const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
  await waitReady({
    what: `Karmada Clusters ${clusters.join(', ')} Ready`,
    logFile: path.join(sb.layout.logsDir, 'karmada-controller-manager.log'),
    timeoutMs,
    ready: async () => {
      for (const name of clusters) {
        const c = (await custom.getClusterCustomObject({ ...CLUSTER_API, name })) as ClusterObject;
        const ready = c.status?.conditions?.find((x) => x.type === 'Ready');
        if (ready?.status !== 'True') throw new Error(`${name}: Ready is ${ready?.status ?? 'not reported'}`);
      }
      return true;
    },
  });
}
