/**
 * Members joined in Pull mode, as `karmadactl register` joins one (Karmada v1.18.2,
 * pkg/karmadactl/register): the member's execution space `karmada-es-<member>` and the agent's
 * RBAC on the hub first (its Cluster, its lease, events, and the Works of its own execution
 * space, nothing else), then karmada-agent beside the member with two kubeconfigs: one to the
 * hub as `system:karmada:agent:<member>` (group `system:karmada:agents`, the identity register's
 * CSR yields; here a client certificate the sandbox CA signs), one to its member. The agent makes
 * the Cluster itself (`syncMode: Pull`). The ServiceExport CRD (multicluster.x-k8s.io/v1alpha1,
 * Karmada's copy) goes into the member, as a Karmada user installs it there to export Services.
 * The pure parts (argv, kubeconfig, RBAC) are apart from the I/O at the bottom.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
} from '@kubernetes/client-node';
import { componentKubeconfig, pkiFiles } from './commands.ts';
import { KARMADA_APISERVER_CONTEXT } from './kubeconfig.ts';
import type { PullMember, SandboxLayout } from './layout.ts';
import { ensureAgentPki } from './pki.ts';

/** The user name register's CSR gives a member's agent, and its group. */
export const agentUser = (member: string) => `system:karmada:agent:${member}`;
export const AGENT_GROUP = 'system:karmada:agents';

/** Where a member's agent keeps its client certificate and its hub kubeconfig. */
export function agentFiles(layout: SandboxLayout, member: PullMember) {
  return {
    cert: path.join(layout.pkiDir, 'karmada-agent', `${member}.crt`),
    key: path.join(layout.pkiDir, 'karmada-agent', `${member}.key`),
    hubKubeconfig: path.join(layout.dir, 'kubeconfigs', `karmada-agent-${member}.kubeconfig`),
  };
}

/** The agent's kubeconfig to the hub (context `karmada-apiserver`), with its client certificate. */
export function agentHubKubeconfig(layout: SandboxLayout, member: PullMember): object {
  const f = agentFiles(layout, member);
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'karmada-apiserver',
        cluster: {
          server: `https://127.0.0.1:${layout.clusters.hub.apiserverPort}`,
          'certificate-authority': pkiFiles(layout).caCert,
        },
      },
    ],
    users: [{ name: agentUser(member), user: { 'client-certificate': f.cert, 'client-key': f.key } }],
    contexts: [
      { name: KARMADA_APISERVER_CONTEXT, context: { cluster: 'karmada-apiserver', user: agentUser(member) } },
    ],
    'current-context': KARMADA_APISERVER_CONTEXT,
  };
}

/**
 * karmada-agent's argv for `member`. Its member kubeconfig comes in `KUBECONFIG` (see
 * {@link agentEnv}): controller-runtime's GetConfig reads it. `--report-secrets=None`: the
 * sandbox's members run no token controller for the impersonator Secret register would make,
 * and managed platforms run the agent that way too. Status every 2 s (default 10 s) so tests
 * see Ready turn quickly; the lease and thresholds stay Karmada's defaults. `multiClusterService`:
 * Karmada's own MCS path, whose agent side (endpointsliceCollect) starts only with the gate on in
 * the agent, as `setKarmadaMultiClusterService` turns it on in the controller manager.
 */
export function agentCommandLine(
  layout: SandboxLayout,
  member: PullMember,
  multiClusterService = false,
): string[] {
  const ports = layout.karmada.agents[member];
  return [
    `--karmada-kubeconfig=${agentFiles(layout, member).hubKubeconfig}`,
    `--karmada-context=${KARMADA_APISERVER_CONTEXT}`,
    `--cluster-name=${member}`,
    `--cluster-api-endpoint=https://127.0.0.1:${layout.clusters[member].apiserverPort}`,
    '--leader-elect=false',
    '--enable-cluster-resource-modeling=false',
    '--report-secrets=None',
    '--cluster-status-update-frequency=2s',
    `--health-probe-bind-address=127.0.0.1:${ports.health}`,
    `--metrics-bind-address=127.0.0.1:${ports.metrics}`,
    '--v=2',
    ...(multiClusterService ? ['--feature-gates=MultiClusterService=true'] : []),
  ];
}

/** The environment of a member's agent: its member kubeconfig. */
export function agentEnv(layout: SandboxLayout, member: PullMember): Record<string, string> {
  return { KUBECONFIG: componentKubeconfig(layout, member) };
}

/** The URL that answers 200 once a member's agent runs. */
export function agentReadyUrl(layout: SandboxLayout, member: PullMember): string {
  return `http://127.0.0.1:${layout.karmada.agents[member].health}/healthz`;
}

const rbac = 'rbac.authorization.k8s.io';

/**
 * What `karmadactl register` makes on the hub for a member's agent (pkg/karmadactl/register,
 * GenerateRBACResources), minus the Secret role that `--report-secrets=None` never uses: the
 * execution space, a ClusterRole bound to the agent's user, and a Role on Works in its own space.
 */
export function agentRbacObjects(member: PullMember): KubernetesObject[] {
  const space = `karmada-es-${member}`;
  const name = `system:karmada:${member}:agent`;
  const workRole = `system:karmada:${member}:agent-work`;
  const subjects = [{ apiGroup: rbac, kind: 'User', name: agentUser(member) }];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: space } },
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRole',
      metadata: { name },
      rules: [
        {
          apiGroups: ['cluster.karmada.io'],
          resources: ['clusters'],
          resourceNames: [member],
          verbs: ['get', 'delete'],
        },
        { apiGroups: ['cluster.karmada.io'], resources: ['clusters'], verbs: ['create', 'list', 'watch'] },
        {
          apiGroups: ['cluster.karmada.io'],
          resources: ['clusters/status'],
          resourceNames: [member],
          verbs: ['update'],
        },
        {
          apiGroups: ['config.karmada.io'],
          resources: ['resourceinterpreterwebhookconfigurations', 'resourceinterpretercustomizations'],
          verbs: ['get', 'list', 'watch'],
        },
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
        { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
        {
          apiGroups: ['certificates.k8s.io'],
          resources: ['certificatesigningrequests'],
          verbs: ['get', 'create'],
        },
        { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch'] },
        { apiGroups: [''], resources: ['events'], verbs: ['patch', 'create', 'update'] },
      ],
    } as KubernetesObject,
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name },
      subjects,
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name },
    } as KubernetesObject,
    {
      apiVersion: `${rbac}/v1`,
      kind: 'Role',
      metadata: { name: workRole, namespace: space },
      rules: [
        {
          apiGroups: ['work.karmada.io'],
          resources: ['works'],
          verbs: ['get', 'create', 'list', 'watch', 'update', 'delete'],
        },
        { apiGroups: ['work.karmada.io'], resources: ['works/status'], verbs: ['patch', 'update'] },
      ],
    } as KubernetesObject,
    {
      apiVersion: `${rbac}/v1`,
      kind: 'RoleBinding',
      metadata: { name: workRole, namespace: space },
      subjects,
      roleRef: { apiGroup: rbac, kind: 'Role', name: workRole },
    } as KubernetesObject,
  ];
}

/** The ServiceExport CRD file among Karmada's CRDs (build.sh caches them in karmada-files/crds). */
export function serviceExportCrdFile(crdsDir: string): string {
  return path.join(crdsDir, 'multicluster.x-k8s.io_serviceexports.yaml');
}

/** What a Pull join needs of the sandbox (a subset of Sandbox, so this file needs no import of it). */
export interface PullJoinTarget {
  readonly layout: SandboxLayout;
  kubeConfig(cluster: 'hub' | PullMember): KubeConfig;
}

/**
 * The hub and member side of a Pull join, before the agent starts: the execution space and RBAC
 * on the hub (each created unless it exists), the ServiceExport CRD in the member.
 */
export async function preparePullJoin(
  sb: PullJoinTarget,
  member: PullMember,
  crdsDir: string,
): Promise<void> {
  const f = agentFiles(sb.layout, member);
  await ensureAgentPki(sb.layout, f, agentUser(member), AGENT_GROUP);
  await mkdir(path.dirname(f.hubKubeconfig), { recursive: true });
  await writeFile(f.hubKubeconfig, `${JSON.stringify(agentHubKubeconfig(sb.layout, member), null, 2)}\n`, {
    mode: 0o600,
  });
  const hub = KubernetesObjectApi.makeApiClient(sb.kubeConfig('hub'));
  for (const o of agentRbacObjects(member)) await createUnlessExists(hub, o);
  const crds = loadAllYaml(await readFile(serviceExportCrdFile(crdsDir), 'utf8')) as KubernetesObject[];
  const inMember = KubernetesObjectApi.makeApiClient(sb.kubeConfig(member));
  for (const crd of crds.filter(Boolean)) await createUnlessExists(inMember, crd);
  // The agent's cluster lease lives in karmada-cluster, which a Push-only sandbox made already.
  await sb
    .kubeConfig('hub')
    .makeApiClient(CoreV1Api)
    .createNamespace({ body: { metadata: { name: 'karmada-cluster' } } })
    .catch((err: unknown) => {
      if ((err as { code?: number }).code !== 409) throw err;
    });
}

async function createUnlessExists(api: KubernetesObjectApi, o: KubernetesObject): Promise<void> {
  try {
    await api.create(o);
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
}
