/**
 * The member clusters as the syncer sees them, read once for `kubectl mcs`: the contexts of a
 * kubeconfig (sources/kubeconfig-source.ts), or Karmada's Cluster objects on the hub and the
 * Secrets they name (sources/karmada-source.ts's `memberFromCluster`), with the same
 * default: kubeconfig when --member-kubeconfig is given, Karmada otherwise.
 */
import type { V1Secret } from '@kubernetes/client-node';
import {
  KARMADA_CLUSTER,
  type KarmadaCluster,
  memberFromCluster,
} from '../syncer/sources/karmada-cluster.ts';
import { excludedContexts, membersFromKubeconfig } from '../syncer/sources/kubeconfig-source.ts';
import type { MemberDefinition } from '../syncer/sources/source.ts';
import { getJson, listAll, RequestError, type Target } from './api.ts';
import type { ConnectionOptions } from './options.ts';

/** The members and where they came from (for the report). */
export interface MemberList {
  readonly source: 'karmada' | 'kubeconfig';
  readonly members: readonly MemberDefinition[];
}

/** Reads the member list; throws a one-line error when the hub or the kubeconfig cannot give it. */
export async function loadMembers(o: ConnectionOptions, hub: Target): Promise<MemberList> {
  if (o.clusterSource === 'kubeconfig' && o.memberKubeconfig) {
    const file = o.memberKubeconfig;
    const exclude = excludedContexts(file, o.memberContexts);
    return { source: 'kubeconfig', members: membersFromKubeconfig(file, exclude) };
  }
  const { group, version, plural } = KARMADA_CLUSTER;
  const clusters = await listAll<KarmadaCluster>(hub, `/apis/${group}/${version}/${plural}`, {
    missingOk: true,
  });
  if (!clusters) {
    throw new Error(
      `the hub does not serve ${group} (no Karmada Cluster objects): give the member clusters with --member-kubeconfig FILE`,
    );
  }
  const members: MemberDefinition[] = [];
  for (const cluster of clusters) members.push(memberFromCluster(cluster, await credentials(hub, cluster)));
  return { source: 'karmada', members };
}

/** A Cluster's token and CA bundle from the Secret its spec.secretRef names, or why not. */
async function credentials(
  hub: Target,
  cluster: KarmadaCluster,
): Promise<{ token?: string; caBundle?: string } | string> {
  const ref = cluster.spec?.secretRef;
  if (!ref?.name || !ref.namespace) return 'its spec.secretRef is missing';
  const path = `/api/v1/namespaces/${encodeURIComponent(ref.namespace)}/secrets/${encodeURIComponent(ref.name)}`;
  let secret: V1Secret | undefined;
  try {
    secret = await getJson<V1Secret>(hub, path, { missingOk: true });
  } catch (err) {
    if (err instanceof RequestError && err.code !== undefined)
      return `cannot read its Secret ${ref.namespace}/${ref.name}: ${err.message}`;
    throw err;
  }
  if (!secret) return `its Secret ${ref.namespace}/${ref.name} does not exist`;
  const field = (k: string) => {
    const v = secret?.data?.[k];
    return v ? Buffer.from(v, 'base64').toString('utf8') : undefined;
  };
  const token = field('token');
  if (!token) return `its Secret ${ref.namespace}/${ref.name} has no token`;
  return { token, caBundle: field('caBundle') };
}
