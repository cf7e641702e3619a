/**
 * What runs on member2's node: the apiserver bridge into its namespace, CoreDNS behind the
 * kube-dns Service, and kube-proxy. Each start waits until the component answers from
 * inside the namespace, or fails with its last log lines.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api } from '@kubernetes/client-node';
import { componentKubeconfig, pkiFiles } from '../sandbox/commands.ts';
import { waitReady } from '../sandbox/health.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import {
  COREDNS_READY,
  corednsArgs,
  corefile,
  DATAPLANE_MANAGER,
  DNS_SERVICE,
  DNS_SLICE_NAME,
  dnsEndpointSlice,
  dnsService,
} from './coredns.ts';
import { MCS_API_GROUP, putCorednsIdentity } from './coredns-identity.ts';
import { KUBE_PROXY_HEALTHZ, kubeProxyArgs, kubeProxyConfig } from './kube-proxy.ts';
import { execIn } from './netns.ts';
import { programArgv, startDataPlaneProcess } from './processes.ts';
import type { DataPlaneTopology } from './topology.ts';

/** The Unix socket that joins the two halves of the apiserver bridge (see bridge.ts). */
export function bridgeSocket(topology: DataPlaneTopology): string {
  return path.join(topology.dir, 'member2-apiserver.sock');
}

/**
 * Makes member2's apiserver reachable at its usual URL (https://127.0.0.1:<port>) inside
 * member2's node namespace, and waits until /readyz answers there through the bridge.
 */
export async function startApiserverBridge(sb: Sandbox, topology: DataPlaneTopology, timeoutMs: number) {
  const socket = bridgeSocket(topology);
  const port = sb.layout.clusters.member2.apiserverPort;
  const netns = topology.nodes.member2.netns;
  const root = await startDataPlaneProcess(
    sb,
    'apiserver-bridge-root',
    programArgv('apiserver-bridge', [`--listen=unix:${socket}`, `--connect=tcp:127.0.0.1:${port}`]),
  );
  await waitReady({
    what: 'the root half of the apiserver bridge',
    ...root,
    timeoutMs,
    ready: async () => existsSync(socket),
  });
  const inner = await startDataPlaneProcess(
    sb,
    'apiserver-bridge-member2',
    programArgv('apiserver-bridge', [`--listen=tcp:127.0.0.1:${port}`, `--connect=unix:${socket}`]),
    netns,
  );
  const ca = pkiFiles(sb.layout).caCert;
  await waitReady({
    what: `member2's apiserver from inside ${netns}`,
    ...inner,
    timeoutMs,
    // /readyz is open to anonymous clients; TLS is verified against the sandbox CA.
    ready: async () =>
      (await execIn(netns, [
        'curl',
        '-fsS',
        '--max-time',
        '2',
        '--cacert',
        ca,
        `https://127.0.0.1:${port}/readyz`,
      ])) === 'ok',
  });
}

/**
 * Creates member2's kube-dns Service and its EndpointSlice (replacing ours from an earlier
 * run). Refuses to touch a kube-dns that someone else made.
 */
export async function putDnsService(sb: Sandbox, topology: DataPlaneTopology): Promise<void> {
  const core = sb.kubeConfig('member2').makeApiClient(CoreV1Api);
  const existing = await core.readNamespacedService(DNS_SERVICE).catch((err: { code?: number }) => {
    if (err.code === 404) return undefined;
    throw err;
  });
  if (existing && existing.metadata?.labels?.['app.kubernetes.io/managed-by'] !== DATAPLANE_MANAGER) {
    throw new Error(
      `member2 already has a Service ${DNS_SERVICE.namespace}/${DNS_SERVICE.name} that is not ours`,
    );
  }
  await deleteDnsService(sb);
  const nodeName = sb.layout.clusters.member2.nodeName ?? 'member2-node';
  await core.createNamespacedService({
    namespace: DNS_SERVICE.namespace,
    body: dnsService(topology.dnsServiceIP),
  });
  await sb
    .kubeConfig('member2')
    .makeApiClient(DiscoveryV1Api)
    .createNamespacedEndpointSlice({
      namespace: DNS_SERVICE.namespace,
      body: dnsEndpointSlice(topology.nodes.member2, nodeName),
    });
}

/** Deletes our kube-dns Service and EndpointSlice from member2 (absent ones are fine). */
export async function deleteDnsService(sb: Sandbox): Promise<void> {
  const ignore404 = (err: { code?: number }) => {
    if (err.code !== 404) throw err;
  };
  await sb
    .kubeConfig('member2')
    .makeApiClient(DiscoveryV1Api)
    .deleteNamespacedEndpointSlice({ name: DNS_SLICE_NAME, namespace: DNS_SERVICE.namespace })
    .catch(ignore404);
  const core = sb.kubeConfig('member2').makeApiClient(CoreV1Api);
  const svc = await core.readNamespacedService(DNS_SERVICE).catch((err: { code?: number }) => {
    ignore404(err);
    return undefined;
  });
  if (svc?.metadata?.labels?.['app.kubernetes.io/managed-by'] === DATAPLANE_MANAGER) {
    await core.deleteNamespacedService(DNS_SERVICE).catch(ignore404);
  }
}

/**
 * Whether member2 serves ServiceImports as `v1alpha1`, the version CoreDNS's `multicluster`
 * option reads (mcs-bridge's member CRDs serve it beside v1beta1; Karmada's CRD is v1alpha1).
 */
export async function servesServiceImportsV1alpha1(sb: Sandbox): Promise<boolean> {
  return sb
    .kubeConfig('member2')
    .makeApiClient(CustomObjectsApi)
    .listClusterCustomObject({
      group: MCS_API_GROUP,
      version: 'v1alpha1',
      plural: 'serviceimports',
      limit: 1,
    })
    .then(
      () => true,
      (err: { code?: number }) => {
        if (err.code === 404) return false;
        throw err;
      },
    );
}

/**
 * Starts CoreDNS in member2's node namespace as its own user (coredns-identity.ts), serving
 * `clusterset.local` too when `clusterset`, and waits for its `ready` plugin.
 */
export async function startCoreDns(
  sb: Sandbox,
  topology: DataPlaneTopology,
  o: { clusterset: boolean; timeoutMs: number },
): Promise<void> {
  const { timeoutMs } = o;
  const node = topology.nodes.member2;
  const kubeconfig = await putCorednsIdentity(sb, topology, o);
  const file = path.join(topology.dir, 'Corefile');
  await writeFile(file, corefile(node, kubeconfig, 'member2', o));
  const started = await startDataPlaneProcess(
    sb,
    'coredns-member2',
    [binary(sb, 'coredns'), ...corednsArgs(file)],
    node.netns,
  );
  await waitReady({
    what: `CoreDNS in ${node.netns}`,
    ...started,
    timeoutMs,
    ready: async () => {
      await execIn(node.netns, ['curl', '-fsS', '--max-time', '2', `http://${COREDNS_READY}/ready`]);
      return true;
    },
  });
}

/** Starts kube-proxy in member2's node namespace and waits until its healthz says it has synced. */
export async function startKubeProxy(
  sb: Sandbox,
  topology: DataPlaneTopology,
  timeoutMs: number,
): Promise<void> {
  const node = topology.nodes.member2;
  const file = path.join(topology.dir, 'kube-proxy.json');
  const nodeName = sb.layout.clusters.member2.nodeName ?? 'member2-node';
  const config = kubeProxyConfig(node, nodeName, componentKubeconfig(sb.layout, 'member2'));
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`); // JSON is YAML
  const started = await startDataPlaneProcess(
    sb,
    'kube-proxy-member2',
    [binary(sb, 'kube-proxy'), ...kubeProxyArgs(file)],
    node.netns,
  );
  await waitReady({
    what: `kube-proxy in ${node.netns}`,
    ...started,
    timeoutMs,
    ready: async () => {
      await execIn(node.netns, ['curl', '-fsS', '--max-time', '2', `http://${KUBE_PROXY_HEALTHZ}/healthz`]);
      return true;
    },
  });
}

/** A binary of the sandbox's bin folder; says how to get it when the folder predates it. */
function binary(sb: Sandbox, name: string): string {
  const file = path.join(sb.binDir, name);
  if (!existsSync(file)) {
    throw new Error(
      `${name} is not in the sandbox's bin folder ${sb.binDir}: run 'make sandbox-build', then restart the sandbox`,
    );
  }
  return file;
}
