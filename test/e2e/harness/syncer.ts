/**
 * What the syncer's end-to-end suites share: the CRD on the hub, a syncer process against
 * the sandbox, and readers for what the syncer wrote in the members.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubeConfig,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  setHeaderOptions,
  type V1EndpointSlice,
} from '@kubernetes/client-node';
import type { MultiClusterService } from '../../../syncer/api/types.ts';
import type { ClusterName } from '../../sandbox/layout.ts';
import { freePort, type RunningProgram, startProgram, waitHttpOk } from '../../sandbox/our-processes.ts';
import { REPO_ROOT, type Sandbox } from '../../sandbox/sandbox.ts';
import { createAll, createNamespace, eventually, loadFixture, uniqueName } from '../../sandbox/testing.ts';

const MCS = { group: 'networking.karmada.io', version: 'v1alpha1', plural: 'multiclusterservices' };

/**
 * Installs the MultiClusterService CRD on the hub (or on `cluster`) unless it is there, and
 * waits until it is served.
 */
export async function ensureCrd(sb: Sandbox, cluster: ClusterName = 'hub'): Promise<void> {
  const file = path.join(REPO_ROOT, 'charts/mcs-bridge/crds/networking.karmada.io_multiclusterservices.yaml');
  const [crd] = loadAllYaml(await readFile(file, 'utf8'));
  const api = KubernetesObjectApi.makeApiClient(sb.kubeConfig(cluster));
  await api.create(crd).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  });
  const custom = sb.kubeConfig(cluster).makeApiClient(CustomObjectsApi);
  await eventually('the MultiClusterService CRD is served', () =>
    custom.listClusterCustomObject({ ...MCS, limit: 1 }),
  );
}

/** A syncer process and the port of its metrics. */
export interface SyncerUnderTest {
  program: RunningProgram;
  metricsPort: number;
  /** The /metrics text. */
  metrics(): Promise<string>;
}

/**
 * Starts the syncer against the sandbox and waits for /readyz. Members come from the
 * sandbox kubeconfig, or with `members: 'auto'` from whatever the syncer finds on the hub
 * (Karmada's Cluster objects).
 */
export async function startSyncer(
  sb: Sandbox,
  name: string,
  extra: string[] = [],
  {
    members = 'kubeconfig',
    contexts = ['member1', 'member2'],
    memberKubeconfig = sb.layout.kubeconfig,
    hubKubeconfig = sb.layout.kubeconfig,
    env = {},
  }: {
    members?: 'kubeconfig' | 'auto';
    /** The member contexts (default member1 and member2). */
    contexts?: string[];
    /** A kubeconfig holding them (default the sandbox's; e.g. one through a proxy). */
    memberKubeconfig?: string;
    /** A kubeconfig whose context `hub` reaches the hub (default the sandbox's; e.g. one through a proxy). */
    hubKubeconfig?: string;
    /** More environment of the process (e.g. libfaketime's, see faketime.ts). */
    env?: Record<string, string>;
  } = {},
): Promise<SyncerUnderTest> {
  const metricsPort = await freePort(sb);
  const memberFlags =
    members === 'kubeconfig'
      ? [`--member-kubeconfig=${memberKubeconfig}`, ...contexts.map((c) => `--member-context=${c}`)]
      : [];
  const program = await startProgram(
    sb,
    name,
    'syncer',
    [
      `--kubeconfig=${hubKubeconfig}`,
      '--context=hub',
      ...memberFlags,
      `--metrics-port=${metricsPort}`,
      '--metrics-bind-address=127.0.0.1',
      '--cluster-health-interval=1s',
      // MCS_E2E_LOG_LEVEL=debug (or trace) logs every plan (and every member event).
      `--log-level=${process.env.MCS_E2E_LOG_LEVEL ?? 'info'}`,
      ...extra,
    ],
    env,
  );
  // A syncer that never became ready is stopped here: the caller has no handle to stop it with.
  await waitHttpOk(program, `http://127.0.0.1:${metricsPort}/readyz`).catch(async (err: unknown) => {
    await program.stop().catch(() => {});
    throw err;
  });
  return {
    program,
    metricsPort,
    metrics: async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text(),
  };
}

/**
 * The request bound (`--request-timeout`) of the outage suites' syncers: production's 30 s, cut
 * short so an outage that outlasts it — every request sent into it aborted at its deadline — is
 * seconds long rather than half a minute.
 */
export const SHORT_REQUEST_TIMEOUT_MS = 5_000;
/** The flag that sets it. */
export const SHORT_REQUEST_TIMEOUT_FLAG = `--request-timeout=${SHORT_REQUEST_TIMEOUT_MS / 1000}s`;

/** Flags of a replica with leader election on a Lease in `namespace`: short timings, for tests. */
export function leaderElectionFlags(namespace: string, leaseSeconds = 6): string[] {
  return [
    '--leader-elect',
    `--leader-election-namespace=${namespace}`,
    `--lease-duration=${leaseSeconds}s`,
    `--renew-deadline=${leaseSeconds - 2}s`,
    '--retry-period=1s',
  ];
}

/** Creates the hub Service and MCS of the seed in `namespace`, with the given cluster lists. */
export async function createSeedService(sb: Sandbox, namespace: string): Promise<void> {
  await sb
    .kubeConfig('hub')
    .makeApiClient(CoreV1Api)
    .createNamespacedService({
      namespace,
      body: {
        metadata: { name: 'nginx' },
        spec: { ports: [{ port: 80, targetPort: 80 }], selector: { app: 'nginx' } },
      },
    });
}

/** Creates or replaces the MCS `nginx` in `namespace` with these providers and consumers. */
export async function putMcs(
  sb: Sandbox,
  namespace: string,
  providers: string[] | undefined,
  consumers: string[] | undefined,
  name = 'nginx',
): Promise<void> {
  const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
  const spec: Record<string, unknown> = { types: ['CrossCluster'] };
  if (providers) spec.providerClusters = providers.map((n) => ({ name: n }));
  if (consumers) spec.consumerClusters = consumers.map((n) => ({ name: n }));
  const existing = await readMcs(sb, namespace, name);
  if (!existing) {
    await custom.createNamespacedCustomObject({
      ...MCS,
      namespace,
      body: {
        apiVersion: 'networking.karmada.io/v1alpha1',
        kind: 'MultiClusterService',
        metadata: { name },
        spec,
      },
    });
    return;
  }
  // A merge patch of the spec alone: a read-then-replace would race the syncer's own
  // status and finalizer writes and fail with a conflict. null removes a list.
  const patch = {
    spec: {
      ...spec,
      providerClusters: spec.providerClusters ?? null,
      consumerClusters: spec.consumerClusters ?? null,
    },
  };
  await custom.patchNamespacedCustomObject(
    { ...MCS, namespace, name, body: patch },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** The MCS, or undefined. */
export async function readMcs(
  sb: Sandbox,
  namespace: string,
  name = 'nginx',
): Promise<MultiClusterService | undefined> {
  const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
  try {
    return (await custom.getNamespacedCustomObject({ ...MCS, namespace, name })) as MultiClusterService;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return undefined;
    throw err;
  }
}

/** Deletes the MCS (its finalizer keeps it until the syncer has cleaned up). */
export async function deleteMcs(sb: Sandbox, namespace: string, name = 'nginx'): Promise<void> {
  await sb
    .kubeConfig('hub')
    .makeApiClient(CustomObjectsApi)
    .deleteNamespacedCustomObject({ ...MCS, namespace, name });
}

/** Every EndpointSlice for `service` in a member's namespace, split into ours and the rest. */
export async function slicesIn(
  sb: Sandbox,
  cluster: ClusterName,
  namespace: string,
  service = 'nginx',
): Promise<{ ours: V1EndpointSlice[]; others: V1EndpointSlice[] }> {
  const list = await sb
    .kubeConfig(cluster)
    .makeApiClient(DiscoveryV1Api)
    .listNamespacedEndpointSlice({ namespace, labelSelector: `kubernetes.io/service-name=${service}` });
  // A copy in a Pull-mode member is applied by its karmada-agent from a Work of mcs-bridge's,
  // labelled as Karmada's dispatcher's so that the agent does not report it back; Karmada's
  // own copies carry no source-cluster label.
  const ours = list.items.filter((s) => {
    const labels = s.metadata?.labels ?? {};
    const by = labels['endpointslice.kubernetes.io/managed-by'];
    return (
      by === 'syncer.mcs-bridge.io' ||
      (by === 'endpointslice-dispatch-controller.karmada.io' &&
        labels['multicluster.kubernetes.io/source-cluster'] !== undefined)
    );
  });
  return { ours, others: list.items.filter((s) => !ours.includes(s)) };
}

/** The ready addresses of a list of slices, sorted. */
export function readyAddresses(slices: readonly V1EndpointSlice[]): string[] {
  return slices
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready !== false)
    .flatMap((e) => e.addresses)
    .sort();
}

/** The IPs of the Running and Ready pods of app=nginx in a member namespace, sorted. */
export async function nginxPodIps(sb: Sandbox, cluster: ClusterName, namespace: string): Promise<string[]> {
  const pods = await sb
    .kubeConfig(cluster)
    .makeApiClient(CoreV1Api)
    .listNamespacedPod({ namespace, labelSelector: 'app=nginx' });
  return pods.items
    .filter(
      (p) =>
        p.status?.phase === 'Running' &&
        p.status.podIP &&
        !p.metadata?.deletionTimestamp &&
        p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    )
    .map((p) => p.status?.podIP ?? '')
    .sort();
}

/** Sets the replicas of the nginx Deployment in a member. */
export async function scaleNginx(
  sb: Sandbox,
  cluster: ClusterName,
  namespace: string,
  replicas: number,
): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(sb.kubeConfig(cluster));
  await api.patch(
    { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'nginx', namespace }, spec: { replicas } },
    undefined,
    undefined,
    undefined,
    undefined,
    PatchStrategy.MergePatch,
  );
}

/** The condition `type` of the MCS as `Status/Reason: message`. */
export function conditionOf(mcs: MultiClusterService | undefined, type: string): string {
  const c = mcs?.status?.conditions?.find((x) => x.type === type);
  return c ? `${c.status}/${c.reason}: ${c.message}` : 'missing';
}

/** Sum of a syncer's API writes (create, update, delete, patch) so far, from its metrics. */
export async function writesOf(syncer: SyncerUnderTest): Promise<number> {
  let n = 0;
  for (const verb of ['create', 'update', 'delete', 'patch']) n += await requestsOf(syncer, undefined, verb);
  return n;
}

/** A gauge or counter of a syncer's metrics (the series written exactly as `series`). */
export async function metricOf(syncer: SyncerUnderTest, series: string): Promise<number> {
  const line = (await syncer.metrics()).split('\n').find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(' ')[1]) : Number.NaN;
}

/**
 * Selector-less Services (one per name) exported from `providers` to `consumers`, each with a
 * source slice of `endpoints` endpoints written by the test in the first provider, as a custom
 * endpoints controller would: changes then start at a known instant and nothing undoes them.
 */
export async function exportWrittenServices(
  sb: Sandbox,
  namespace: string,
  names: string[],
  providers: ClusterName[],
  consumers: ClusterName[],
  endpoints = 1,
): Promise<void> {
  const core = sb.kubeConfig('hub').makeApiClient(CoreV1Api);
  for (const name of names) {
    await core.createNamespacedService({
      namespace,
      body: { metadata: { name }, spec: { ports: [{ port: 80 }] } },
    });
    await putMcs(sb, namespace, providers, consumers, name);
    await writeSourceSlice(sb, providers[0] ?? 'member1', namespace, `${name}-src`, name, 1, endpoints);
  }
}

/**
 * Creates or replaces a test-written source slice whose endpoint addresses encode `marker`
 * (10.<marker>.x.y), so a copy shows which version it came from.
 */
export async function writeSourceSlice(
  sb: Sandbox,
  cluster: ClusterName,
  namespace: string,
  name: string,
  service: string,
  marker: number,
  endpoints = 1,
  ports = [{ name: '', port: 80, protocol: 'TCP' }],
): Promise<void> {
  const api = sb.kubeConfig(cluster).makeApiClient(DiscoveryV1Api);
  const body: V1EndpointSlice = {
    metadata: {
      name,
      labels: {
        'kubernetes.io/service-name': service,
        'endpointslice.kubernetes.io/managed-by': 'e2e.mcs-bridge.io',
      },
    },
    addressType: 'IPv4',
    endpoints: Array.from({ length: endpoints }, (_, i) => ({
      addresses: [`10.${marker % 200}.${Math.floor(i / 250)}.${(i % 250) + 1}`],
      conditions: { ready: true },
    })),
    ports,
  };
  const existing = await api.readNamespacedEndpointSlice({ name, namespace }).catch(() => undefined);
  if (!existing) {
    await api.createNamespacedEndpointSlice({ namespace, body });
    return;
  }
  await api.replaceNamespacedEndpointSlice({
    name,
    namespace,
    body: { ...body, metadata: { ...body.metadata, resourceVersion: existing.metadata?.resourceVersion } },
  });
}

/**
 * Writes a copy of the sandbox kubeconfig in which `cluster` is reached through
 * 127.0.0.1:`port` (a test proxy), and returns its path; TLS stays end to end, since the
 * apiserver's certificate names 127.0.0.1 whatever the port.
 */
export async function kubeconfigThrough(
  sb: Sandbox,
  cluster: ClusterName,
  port: number,
  file: string,
): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(sb.layout.kubeconfig);
  const server = sb.server(cluster);
  kc.loadFromOptions({
    clusters: kc.clusters.map((c) =>
      c.server === server ? { ...c, server: `https://127.0.0.1:${port}` } : c,
    ),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  await writeFile(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

/**
 * A syncer's API requests with one verb, to one cluster (or to all when `cluster` is
 * undefined), summed over result codes.
 */
export async function requestsOf(
  syncer: SyncerUnderTest,
  cluster: string | undefined,
  verb: string,
): Promise<number> {
  const re = /^mcs_bridge_syncer_api_requests_total\{([^}]*)\} (\d+)/gm;
  let n = 0;
  for (const m of (await syncer.metrics()).matchAll(re)) {
    const labels = m[1] ?? '';
    if (cluster !== undefined && !labels.includes(`cluster="${cluster}"`)) continue;
    if (labels.includes(`verb="${verb}"`)) n += Number(m[2]);
  }
  return n;
}

/**
 * The seed scenario in a fresh namespace, converged: nginx (2 replicas) in `nginxIn`, the
 * seed's Service and an MCS from member1 to member2 on the hub, and member2 holding the copies
 * of member1's 2 endpoints. Returns the namespace and its cleanup.
 */
export async function seedConverged(
  sb: Sandbox,
  prefix: string,
  nginxIn: readonly ClusterName[] = ['member1'],
): Promise<{ ns: string; cleanup: () => Promise<void> }> {
  const ns = uniqueName(prefix);
  const cleanup = await createNamespace(sb, ns);
  for (const m of nginxIn) await createAll(sb, m, ns, await loadFixture('seed/nginx-deployment.yaml'));
  await createSeedService(sb, ns);
  await putMcs(sb, ns, ['member1'], ['member2']);
  await eventually('member2 holds the copies of member1', async () => {
    assert.equal(readyAddresses((await slicesIn(sb, 'member2', ns)).ours).length, 2);
  });
  return { ns, cleanup };
}

/** Writes a syncer made to the members that the API servers accepted (2xx), from its metrics. */
export async function acceptedMemberWrites(s: SyncerUnderTest): Promise<number> {
  const re = /^mcs_bridge_syncer_api_requests_total\{([^}]*)\} (\d+)/gm;
  let n = 0;
  for (const m of (await s.metrics()).matchAll(re)) {
    const labels = m[1] ?? '';
    if (!/cluster="member[12]"/.test(labels) || !labels.includes('code="2xx"')) continue;
    if (/verb="(create|update|delete)"/.test(labels)) n += Number(m[2]);
  }
  return n;
}
