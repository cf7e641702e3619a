/**
 * Kubeconfig files of a sandbox: one with a context per cluster for people and tests,
 * and one single-context file per cluster for the components. Written as JSON, which
 * every Kubernetes client reads as YAML.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { componentKubeconfig } from './commands.ts';
import { CLUSTERS, type ClusterName, type SandboxLayout } from './layout.ts';
import type { AdminCredentials } from './pki.ts';

/**
 * The context that names the hub as Karmada's documents do, in a Karmada sandbox's
 * kubeconfig: `kubectl --context karmada-apiserver` then works as in Karmada's guides.
 */
export const KARMADA_APISERVER_CONTEXT = 'karmada-apiserver';

/** The kubeconfig object for the given clusters (pure); `aliases` adds contexts naming a cluster again. */
export function kubeconfigFor(
  layout: SandboxLayout,
  creds: AdminCredentials,
  clusters: readonly ClusterName[],
  current: ClusterName,
  aliases: Readonly<Record<string, ClusterName>> = {},
): object {
  const ca = Buffer.from(creds.caPem).toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: clusters.map((name) => ({
      name,
      cluster: {
        server: `https://127.0.0.1:${layout.clusters[name].apiserverPort}`,
        'certificate-authority-data': ca,
      },
    })),
    users: [{ name: 'sandbox-admin', user: { token: creds.token } }],
    contexts: [
      ...clusters.map((name) => ({ name, context: { cluster: name, user: 'sandbox-admin' } })),
      ...Object.entries(aliases).map(([name, cluster]) => ({
        name,
        context: { cluster, user: 'sandbox-admin' },
      })),
    ],
    'current-context': current,
  };
}

/** Writes `.sandbox/kubeconfig` and the per-component kubeconfigs. */
export async function writeKubeconfigs(
  layout: SandboxLayout,
  creds: AdminCredentials,
  clusters: readonly ClusterName[] = CLUSTERS,
  { karmada = false }: { karmada?: boolean } = {},
): Promise<void> {
  const write = async (file: string, obj: object) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(obj, null, 2)}\n`, { mode: 0o600 });
  };
  const aliases: Record<string, ClusterName> = karmada ? { [KARMADA_APISERVER_CONTEXT]: 'hub' } : {};
  await write(layout.kubeconfig, kubeconfigFor(layout, creds, clusters, 'hub', aliases));
  for (const name of clusters) {
    await write(componentKubeconfig(layout, name), kubeconfigFor(layout, creds, [name], name));
  }
}
