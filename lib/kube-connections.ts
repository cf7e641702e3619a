/**
 * Connection reuse for @kubernetes/client-node 2.x. Its typed API clients (undici's fetch) get a
 * new undici Agent from KubeConfig for every request, so every call pays a TCP and TLS handshake
 * on both ends and leaves its connection behind (kubernetes-client/javascript#2893, still so in
 * 2.0). The https.Agent that `applyToHTTPSOptions` gives (syncer/kube/raw-api.ts) it does cache,
 * but by cluster and user name only: a client certificate or CA that changed under the same
 * names (a rotated file, an exec plugin's new certificate) would keep the old agent. This keeps
 * one keep-alive agent and one undici dispatcher per cluster endpoint and credentials, for the
 * life of the KubeConfig.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

type Cluster = { name?: string; server?: string; proxyUrl?: string } | null;
type AgentFactory = (cluster: Cluster, options: Record<string, unknown>) => http.Agent;
/** An undici Dispatcher, or undefined where client-node leaves fetch its global one. */
type DispatcherFactory = (cluster: Cluster, options: Record<string, unknown>) => unknown;

/** What tells two agents apart: the endpoint, the proxy and the TLS material. */
function keyOf(cluster: Cluster, options: Record<string, unknown>): string {
  return createHash('sha256')
    .update(
      JSON.stringify([
        cluster?.name,
        cluster?.server,
        cluster?.proxyUrl,
        options.rejectUnauthorized,
        options.servername,
      ]),
    )
    .update(String(options.ca ?? ''))
    .update(String(options.cert ?? ''))
    .update(String(options.key ?? ''))
    .digest('hex');
}

/** Makes `kc` reuse connections; returns it. Safe to call more than once. */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  // `createAgent`, `createDispatcher` and `agentCache` are private in the typings but ordinary
  // members at run time.
  const target = kc as unknown as {
    createAgent: AgentFactory;
    createDispatcher: DispatcherFactory;
    agentCache?: Map<string, http.Agent>;
    __pooled?: boolean;
  };
  if (target.__pooled) return kc;
  const originalAgent = target.createAgent.bind(kc);
  const originalDispatcher = target.createDispatcher.bind(kc);
  const agents = new Map<string, http.Agent>();
  const dispatchers = new Map<string, unknown>();
  target.createAgent = (cluster, options) => {
    const key = keyOf(cluster, options);
    let agent = agents.get(key);
    if (!agent) {
      // client-node's own cache (by cluster and user name) would hand back the agent of older
      // credentials: emptied, it makes one from these options.
      target.agentCache?.clear();
      agent = originalAgent(cluster, { ...options, keepAlive: true, keepAliveMsecs: 30_000 });
      agents.set(key, agent);
    }
    return agent;
  };
  target.createDispatcher = (cluster, options) => {
    const key = keyOf(cluster, options);
    if (!dispatchers.has(key)) dispatchers.set(key, originalDispatcher(cluster, options));
    return dispatchers.get(key);
  };
  target.__pooled = true;
  return kc;
}
