/**
 * How a member's API server reaches its node's kubelet (for `kubectl exec`, logs, webhooks
 * and anything else of its "cluster" egress): through an HTTP CONNECT proxy on a Unix socket,
 * the way konnectivity connects control planes to node networks they cannot route to. The
 * kubelet, kwok's, serves at the node's own address inside the data plane's network namespace
 * (test/dataplane/kubelet.ts), which the API server, bound to the machine's loopback, cannot
 * reach; the proxy runs inside that namespace. Only member2 has one (it runs the client pod);
 * without the data plane the socket is absent and such requests fail at once.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ClusterName, SandboxLayout } from './layout.ts';

/** The members whose API server reaches its kubelet through the data plane. */
export const KUBELET_EGRESS_MEMBERS: readonly ClusterName[] = ['member2'];

/** The socket the proxy listens on (in the data plane's folder, root's alone). */
export function kubeletEgressSocket(layout: SandboxLayout, cluster: ClusterName): string {
  return path.join(layout.dir, 'dataplane', `${cluster}-kubelet-egress.sock`);
}

/** The API server's --egress-selector-config-file. */
export function egressConfigFile(layout: SandboxLayout, cluster: ClusterName): string {
  return path.join(layout.dir, 'egress', `${cluster}.yaml`);
}

/** The EgressSelectorConfiguration: "cluster" traffic by HTTP CONNECT over the socket (JSON is YAML). */
export function egressConfig(socket: string): string {
  const config = {
    apiVersion: 'apiserver.k8s.io/v1beta1',
    kind: 'EgressSelectorConfiguration',
    egressSelections: [
      {
        name: 'cluster',
        connection: { proxyProtocol: 'HTTPConnect', transport: { uds: { udsName: socket } } },
      },
    ],
  };
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Writes the configuration file of every member in {@link KUBELET_EGRESS_MEMBERS}. */
export async function writeEgressConfigs(layout: SandboxLayout): Promise<void> {
  for (const cluster of KUBELET_EGRESS_MEMBERS) {
    const file = egressConfigFile(layout, cluster);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, egressConfig(kubeletEgressSocket(layout, cluster)));
  }
}
