/**
 * Who member2's CoreDNS is to its API server: the user `system:coredns` (a client certificate
 * from the sandbox CA) bound to the ClusterRole a cluster's DNS add-on has, plus list and watch
 * on ServiceImports when it serves `clusterset.local`. It runs with exactly the rights a real
 * CoreDNS needs, so a missing rule shows here as it would in a cluster: the plugin never syncs.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  RbacAuthorizationV1Api,
  type V1ClusterRole,
  type V1ClusterRoleBinding,
} from '@kubernetes/client-node';
import { pkiFiles } from '../sandbox/commands.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { issueCertificate } from './certificates.ts';
import { DATAPLANE_MANAGER } from './coredns.ts';
import type { DataPlaneTopology } from './topology.ts';

/** CoreDNS's user name, and the name of its ClusterRole and ClusterRoleBinding (as kubeadm names them). */
export const COREDNS_USER = 'system:coredns';
/** The API group of the Multi-Cluster Services API. */
export const MCS_API_GROUP = 'multicluster.x-k8s.io';

const LABELS = { 'app.kubernetes.io/managed-by': DATAPLANE_MANAGER };

/** CoreDNS's ClusterRole: what its `kubernetes` plugin lists and watches (pure). */
export function corednsClusterRole({ clusterset }: { clusterset: boolean }): V1ClusterRole {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: COREDNS_USER, labels: LABELS },
    rules: [
      {
        apiGroups: [''],
        resources: ['endpoints', 'services', 'pods', 'namespaces'],
        verbs: ['list', 'watch'],
      },
      { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: ['list', 'watch'] },
      // The `multicluster` option reads ServiceImports (as v1alpha1) besides the slices above.
      ...(clusterset
        ? [{ apiGroups: [MCS_API_GROUP], resources: ['serviceimports'], verbs: ['list', 'watch'] }]
        : []),
    ],
  };
}

/** Binds {@link corednsClusterRole} to the user {@link COREDNS_USER} (pure). */
export function corednsClusterRoleBinding(): V1ClusterRoleBinding {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: COREDNS_USER, labels: LABELS },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: COREDNS_USER },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: COREDNS_USER }],
  };
}

/** CoreDNS's kubeconfig: member2's API server (through the bridge) as {@link COREDNS_USER} (pure). */
export function corednsKubeconfig(o: { server: string; ca: string; cert: string; key: string }): object {
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'member2', cluster: { server: o.server, 'certificate-authority': o.ca } }],
    users: [{ name: COREDNS_USER, user: { 'client-certificate': o.cert, 'client-key': o.key } }],
    contexts: [{ name: 'member2', context: { cluster: 'member2', user: COREDNS_USER } }],
    'current-context': 'member2',
  };
}

/**
 * Gives CoreDNS its identity in member2: the certificate and kubeconfig in the data plane's
 * folder, the ClusterRole and its binding (replacing ours from an earlier run). Refuses to
 * touch a `system:coredns` that someone else made. Returns the kubeconfig's path.
 */
export async function putCorednsIdentity(
  sb: Sandbox,
  topology: DataPlaneTopology,
  o: { clusterset: boolean },
): Promise<string> {
  const files = {
    cert: path.join(topology.dir, 'coredns-member2.crt'),
    key: path.join(topology.dir, 'coredns-member2.key'),
  };
  await issueCertificate(sb.layout, files, {
    what: "member2's CoreDNS client certificate",
    subject: `/CN=${COREDNS_USER}`,
    extensions: 'extendedKeyUsage=clientAuth\n',
  });
  const file = path.join(topology.dir, 'coredns-member2.kubeconfig');
  const config = corednsKubeconfig({
    server: `https://127.0.0.1:${sb.layout.clusters.member2.apiserverPort}`,
    ca: pkiFiles(sb.layout).caCert,
    ...files,
  });
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });

  const rbac = sb.kubeConfig('member2').makeApiClient(RbacAuthorizationV1Api);
  const existing = await rbac.readClusterRole({ name: COREDNS_USER }).catch(ignore404);
  if (existing && existing.metadata?.labels?.['app.kubernetes.io/managed-by'] !== DATAPLANE_MANAGER) {
    throw new Error(`member2 already has a ClusterRole ${COREDNS_USER} that is not ours`);
  }
  await deleteCorednsIdentity(sb);
  await rbac.createClusterRole({ body: corednsClusterRole(o) });
  await rbac.createClusterRoleBinding({ body: corednsClusterRoleBinding() });
  return file;
}

/** Deletes our ClusterRole and ClusterRoleBinding of CoreDNS from member2 (absent ones are fine). */
export async function deleteCorednsIdentity(sb: Sandbox): Promise<void> {
  const rbac = sb.kubeConfig('member2').makeApiClient(RbacAuthorizationV1Api);
  const ours = (o: { metadata?: { labels?: Record<string, string> } } | undefined) =>
    o?.metadata?.labels?.['app.kubernetes.io/managed-by'] === DATAPLANE_MANAGER;
  if (ours(await rbac.readClusterRoleBinding({ name: COREDNS_USER }).catch(ignore404))) {
    await rbac.deleteClusterRoleBinding({ name: COREDNS_USER }).catch(ignore404);
  }
  if (ours(await rbac.readClusterRole({ name: COREDNS_USER }).catch(ignore404))) {
    await rbac.deleteClusterRole({ name: COREDNS_USER }).catch(ignore404);
  }
}

function ignore404(err: { code?: number }): undefined {
  if (err.code !== 404) throw err;
  return undefined;
}
