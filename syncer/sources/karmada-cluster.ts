/**
 * Karmada's Cluster (cluster.karmada.io/v1alpha1) as the syncer reads it, and the member it
 * describes. Push-mode clusters are reached at `spec.apiEndpoint` with the token and CA bundle
 * of the Secret `spec.secretRef` names; readiness is their `Ready` condition. A Pull-mode
 * cluster cannot be reached from the control plane: it needs no Secret, its readiness is the
 * Ready condition its karmada-agent heartbeats, and it is read and written through the Works
 * of its execution space (docs/pull-mode.md). Pure.
 */
import { createHash } from 'node:crypto';
import { KubeConfig, type KubernetesObject, type V1Condition } from '@kubernetes/client-node';
import { reuseConnections } from '../../lib/kube-connections.ts';
import type { MemberDefinition } from './source.ts';

/** The fields of Karmada's Cluster the syncer reads. */
export interface KarmadaCluster extends KubernetesObject {
  spec?: {
    apiEndpoint?: string;
    secretRef?: { namespace?: string; name?: string };
    insecureSkipTLSVerification?: boolean;
    syncMode?: string;
    proxyURL?: string;
  };
  status?: { conditions?: V1Condition[] };
}

/** Group, version and plural of Karmada's Cluster. */
export const KARMADA_CLUSTER = {
  group: 'cluster.karmada.io',
  version: 'v1alpha1',
  plural: 'clusters',
} as const;

/** Credentials read from a Cluster's Secret. */
export interface ClusterCredentials {
  token?: string;
  caBundle?: string;
}

/** The member a Cluster describes, or why it cannot be reached (pure). */
export function memberFromCluster(
  cluster: KarmadaCluster,
  creds: ClusterCredentials | string,
): MemberDefinition {
  const name = cluster.metadata?.name ?? '';
  const spec = cluster.spec ?? {};
  const ready = cluster.status?.conditions?.find((c) => c.type === 'Ready');
  let sourceReady = ready?.status === 'True';
  let sourceReason = sourceReady
    ? undefined
    : `its Karmada Ready condition is ${ready ? `${ready.status} (${ready.reason ?? 'no reason'})` : 'missing'}`;
  let server = spec.apiEndpoint ?? '';
  if (server && !/^[a-z]+:\/\//i.test(server)) server = `https://${server}`;
  const pull = spec.syncMode === 'Pull';
  if (cluster.metadata?.deletionTimestamp) {
    // Leaving: Karmada is removing its execution space; nothing is written there any more.
    sourceReady = false;
    sourceReason = 'its Cluster is being deleted: the cluster is leaving Karmada';
  } else if (pull) {
    if (!sourceReady && ready)
      sourceReason = `its karmada-agent reports it not ready: Ready is ${ready.status} (${ready.reason ?? 'no reason'})${ready.lastTransitionTime ? ` since ${String(ready.lastTransitionTime)}` : ''}`;
    else if (!sourceReady) sourceReason = 'no karmada-agent has reported its Ready condition yet';
  } else if (!server) {
    sourceReady = false;
    sourceReason = 'its spec.apiEndpoint is empty';
  } else if (typeof creds === 'string') {
    sourceReady = false;
    sourceReason = creds;
  }
  const c = typeof creds === 'string' ? {} : creds;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name,
        server: server || 'https://invalid.local',
        caData: c.caBundle ? Buffer.from(c.caBundle).toString('base64') : undefined,
        skipTLSVerify: spec.insecureSkipTLSVerification === true,
      },
    ],
    users: [{ name, token: c.token }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([
        server,
        c.token ?? '',
        c.caBundle ?? '',
        spec.insecureSkipTLSVerification === true,
        pull,
      ]),
    )
    .digest('hex')
    .slice(0, 16);
  return {
    name,
    kubeConfig: reuseConnections(kc),
    sourceReady,
    sourceReason,
    fingerprint,
    ...(pull ? { pull } : {}),
  };
}

/**
 * What of a Cluster bears on the member it describes: its spec (endpoint, Secret, TLS, mode)
 * and its Ready condition. Karmada rewrites the rest of the status (resource and node
 * summaries, API enablements) every few seconds; such changes need no refresh.
 */
export function clusterFingerprint(cluster: KarmadaCluster): string {
  const ready = cluster.status?.conditions?.find((c) => c.type === 'Ready');
  return JSON.stringify([
    cluster.spec ?? {},
    ready?.status,
    ready?.reason,
    Boolean(cluster.metadata?.deletionTimestamp),
  ]);
}

/** The Secret a Cluster names, as `namespace/name`, or undefined when it names none. */
export function secretRefOf(cluster: KarmadaCluster): string | undefined {
  const ref = cluster.spec?.secretRef;
  return ref?.name && ref.namespace ? `${ref.namespace}/${ref.name}` : undefined;
}
