/**
 * The Kubernetes MCS API's CRDs (ServiceExport, ServiceImport; charts/mcs-bridge/member-crds/) in
 * the members of a plain sandbox, as a user applies them to every member beside member-rbac.yaml.
 * A Karmada sandbox keeps Karmada's own ServiceExport CRD instead (docs/architecture.md
 * § Kubernetes MCS API says why).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
} from '@kubernetes/client-node';
import { waitReady } from './health.ts';

/** The folder of the member CRDs, under the repository root. */
export function memberCrdsDir(repoRoot: string): string {
  return path.join(repoRoot, 'charts', 'mcs-bridge', 'member-crds');
}

/** The CRDs of the folder, in file order. */
export async function loadMemberCrds(dir: string): Promise<KubernetesObject[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
  const out: KubernetesObject[] = [];
  for (const f of files) {
    const docs = loadAllYaml(await readFile(path.join(dir, f), 'utf8')) as (KubernetesObject | null)[];
    for (const d of docs) if (d) out.push(d);
  }
  return out;
}

/** Creates each CRD in one member unless it exists, and waits until each is Established. */
export async function installMemberCrds(
  cluster: string,
  kubeConfig: KubeConfig,
  crds: readonly KubernetesObject[],
  timeoutMs: number,
): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kubeConfig);
  for (const crd of crds) {
    try {
      await api.create(crd);
    } catch (err) {
      if ((err as { code?: number }).code !== 409) throw err;
    }
  }
  await waitReady({
    what: `the MCS API CRDs in ${cluster}`,
    timeoutMs,
    ready: async () => {
      for (const crd of crds) {
        const got = (await api.read({ ...crd, metadata: { name: crd.metadata?.name ?? '' } })) as {
          status?: { conditions?: { type: string; status: string }[] };
        };
        if (!got.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
          return false;
      }
      return true;
    },
  });
}
