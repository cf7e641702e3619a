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

/** The kubeconfig object for the given clusters (pure). */
export function kubeconfigFor(
  layout: SandboxLayout,
  creds: AdminCredentials,
  clusters: readonly ClusterName[],
  current: ClusterName,
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
    contexts: clusters.map((name) => ({ name, context: { cluster: name, user: 'sandbox-admin' } })),
    'current-context': current,
  };
}

/** Writes `.sandbox/kubeconfig` and the per-component kubeconfigs. */
export async function writeKubeconfigs(
  layout: SandboxLayout,
  creds: AdminCredentials,
  clusters: readonly ClusterName[] = CLUSTERS,
): Promise<void> {
  const write = async (file: string, obj: object) => {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, `${JSON.stringify(obj, null, 2)}\n`, { mode: 0o600 });
  };
  await write(layout.kubeconfig, kubeconfigFor(layout, creds, clusters, 'hub'));
  for (const name of clusters) {
    await write(componentKubeconfig(layout, name), kubeconfigFor(layout, creds, [name], name));
  }
}
