/**
 * Connection reuse for @kubernetes/client-node 1.x. Its KubeConfig makes a new
 * https.Agent for every request (kubernetes-client/javascript#2893, fixed after the 1.x
 * line we must stay on for Node 20), so every API call pays a TCP and TLS handshake on
 * both ends and leaves its socket behind. This keeps one keep-alive agent per cluster
 * endpoint and credentials, for the life of the KubeConfig.
 */
import { createHash } from 'node:crypto';
import type http from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

type AgentFactory = (
  cluster: { name?: string; server?: string; proxyUrl?: string } | null,
  options: Record<string, unknown>,
) => http.Agent;

/** Makes `kc` reuse connections; returns it. Safe to call more than once. */
export function reuseConnections(kc: KubeConfig): KubeConfig {
  // `createAgent` is private in the typings but an ordinary method at run time.
  const target = kc as unknown as { createAgent: AgentFactory; __pooled?: boolean };
  if (target.__pooled) return kc;
  const original = target.createAgent.bind(kc);
  const agents = new Map<string, http.Agent>();
  target.createAgent = (cluster, options) => {
    const key = createHash('sha256')
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
    let agent = agents.get(key);
    if (!agent) {
      agent = original(cluster, { ...options, keepAlive: true, keepAliveMsecs: 30_000 });
      agents.set(key, agent);
    }
    return agent;
  };
  target.__pooled = true;
  return kc;
}
