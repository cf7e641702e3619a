/**
 * What the chart's end-to-end suite needs: helm against the sandbox hub, identities minted
 * with the TokenRequest API and written as kubeconfigs, and the chart's rendered containers
 * turned into local processes (the sandbox has no container runtime): their volumes
 * materialised in a folder as the kubelet would, their flags kept as rendered except for how
 * they reach the hub.
 */

import { randomUUID, type X509Certificate } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { connect } from 'node:tls';
import {
  CoreV1Api,
  type KubernetesObject,
  loadAllYaml,
  type V1Container,
  type V1Deployment,
} from '@kubernetes/client-node';
import type { ClusterName } from '../../sandbox/layout.ts';
import { type RunningProgram, startProgram, waitHttpOk } from '../../sandbox/our-processes.ts';
import { REPO_ROOT, type Sandbox } from '../../sandbox/sandbox.ts';
import { runCommand } from '../../sandbox/testing.ts';

/** The chart in this repository. */
export const CHART_DIR = path.join(REPO_ROOT, 'charts/mcs-bridge');

/** Runs the sandbox's helm on a cluster (the hub by default), its state kept in the sandbox folder; throws on failure. */
export async function helm(sb: Sandbox, args: string[], cluster: ClusterName = 'hub'): Promise<string> {
  const home = path.join(sb.layout.dir, 'helm');
  const env = {
    ...process.env,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
  };
  const all = [...args, '--kubeconfig', sb.layout.kubeconfig, '--kube-context', cluster];
  const out = await runCommand(path.join(sb.binDir, 'helm'), all, env);
  if (out.code !== 0) throw new Error(`helm ${args.join(' ')} failed: ${out.stderr.trim()}`);
  return out.stdout;
}

/** The objects of a release as Helm rendered them (`helm get manifest`). */
export async function releaseObjects(
  sb: Sandbox,
  release: string,
  namespace: string,
  cluster: ClusterName = 'hub',
) {
  const text = await helm(sb, ['get', 'manifest', release, '-n', namespace], cluster);
  return JSON.parse(JSON.stringify(loadAllYaml(text).filter(Boolean))) as KubernetesObject[];
}

/** A kubeconfig (JSON) for one sandbox cluster per context, each with its own bearer token. */
export function tokenKubeconfig(
  sb: Sandbox,
  contexts: { name: string; cluster: ClusterName; token: string }[],
) {
  const ca = Buffer.from(sb.admin.caPem).toString('base64');
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((c) => ({
      name: c.name,
      cluster: { server: sb.server(c.cluster), 'certificate-authority-data': ca },
    })),
    users: contexts.map((c) => ({ name: c.name, user: { token: c.token } })),
    contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: c.name } })),
    'current-context': contexts[0]?.name,
  });
}

/** A token for a ServiceAccount, from the TokenRequest API of its cluster (valid an hour). */
export async function serviceAccountToken(
  sb: Sandbox,
  cluster: ClusterName,
  namespace: string,
  name: string,
): Promise<string> {
  const core = sb.kubeConfig(cluster).makeApiClient(CoreV1Api);
  const request = await core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const token = request.status?.token;
  if (!token) throw new Error(`no token for ServiceAccount ${namespace}/${name} in ${cluster}`);
  return token;
}

/** Writes a file readable by its owner only, creating its folder. */
export async function writePrivate(file: string, content: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content, { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}

/**
 * Creates a folder for each volume a container mounts, as the kubelet would: an emptyDir
 * empty, a Secret volume with the Secret's keys (read from the cluster the pod runs in) as
 * files. Returns mount path → local folder.
 */
export async function materialiseMounts(
  sb: Sandbox,
  deployment: V1Deployment,
  container: V1Container,
  dir: string,
  cluster: ClusterName = 'hub',
): Promise<Map<string, string>> {
  const pod = deployment.spec?.template.spec;
  const namespace = deployment.metadata?.namespace ?? '';
  const mounts = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod?.volumes?.find((v) => v.name === mount.name);
    const local = path.join(dir, container.name, mount.name);
    await mkdir(local, { recursive: true, mode: 0o700 });
    if (volume?.secret) {
      const secret = await sb
        .kubeConfig(cluster)
        .makeApiClient(CoreV1Api)
        .readNamespacedSecret({ namespace, name: volume.secret.secretName ?? '' });
      const items = volume.secret.items ?? Object.keys(secret.data ?? {}).map((key) => ({ key, path: key }));
      for (const item of items) {
        const data = secret.data?.[item.key];
        if (data === undefined)
          throw new Error(`Secret ${namespace}/${secret.metadata?.name} has no key ${item.key}`);
        await writePrivate(path.join(local, item.path), Buffer.from(data, 'base64').toString('utf8'));
      }
    } else if (!volume?.emptyDir) {
      throw new Error(`volume ${mount.name} of ${container.name} is neither a Secret nor an emptyDir`);
    }
    mounts.set(mount.mountPath, local);
  }
  return mounts;
}

/**
 * The container's rendered flags as a local process takes them: paths under a mount point
 * moved to the local folder, `--in-cluster` (or, for the syncer, the in-cluster default)
 * replaced by `--kubeconfig` of the ServiceAccount, and the servers bound to loopback. A
 * container rendered with a `--kubeconfig` of its own (the karmada-host part) keeps it.
 */
export function localArgs(
  container: V1Container,
  mounts: Map<string, string>,
  hubKubeconfig: string | undefined,
): string[] {
  const own = (container.args ?? []).some((a) => a.startsWith('--kubeconfig='));
  if (!own && !hubKubeconfig) throw new Error(`container ${container.name} needs a hub kubeconfig`);
  const args = (container.args ?? []).map((arg) => {
    if (arg === '--in-cluster') return `--kubeconfig=${hubKubeconfig}`;
    const eq = arg.indexOf('=');
    if (eq < 0) return arg;
    const value = arg.slice(eq + 1);
    for (const [mountPath, local] of mounts) {
      if (value === mountPath || value.startsWith(`${mountPath}/`)) {
        return `${arg.slice(0, eq + 1)}${local}${value.slice(mountPath.length)}`;
      }
    }
    return arg;
  });
  if (container.name === 'syncer')
    return [...args, ...(own ? [] : [`--kubeconfig=${hubKubeconfig}`]), '--metrics-bind-address=127.0.0.1'];
  return [...args, '--bind-address=127.0.0.1'];
}

/** The value of `--name=value` in a container's rendered args. */
export function renderedFlag(container: V1Container, name: string): string | undefined {
  return container.args?.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
}

/**
 * Starts one of the chart's containers as a local process, authenticated as the chart's
 * ServiceAccount (through `hubKubeconfig`, or the kubeconfig its rendered flags name), and
 * waits for its /readyz on the rendered health port. `cluster` is where the pod would run.
 */
export async function startContainer(
  sb: Sandbox,
  deployment: V1Deployment,
  name: 'webhook' | 'syncer',
  opts: { dir: string; hubKubeconfig?: string; processName: string; cluster?: ClusterName },
): Promise<RunningProgram> {
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === name);
  if (!container) throw new Error(`the rendered Deployment has no container ${name}`);
  const mounts = await materialiseMounts(sb, deployment, container, opts.dir, opts.cluster);
  const program = await startProgram(
    sb,
    opts.processName,
    name,
    localArgs(container, mounts, opts.hubKubeconfig),
    {
      POD_NAME: `${deployment.metadata?.name}-local`,
      POD_NAMESPACE: deployment.metadata?.namespace ?? '',
    },
  );
  const healthPort = renderedFlag(container, name === 'webhook' ? 'health-port' : 'metrics-port');
  await waitHttpOk(program, `http://127.0.0.1:${healthPort}/readyz`, 60_000);
  return program;
}

/** The certificate a TLS server on 127.0.0.1 presents, verified against `caPem` for that IP. */
export function servedCertificate(port: number, caPem: string): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ca: caPem }, () => {
      const cert = socket.getPeerX509Certificate();
      socket.end();
      if (cert) resolve(cert);
      else reject(new Error(`no certificate from 127.0.0.1:${port}`));
    });
    socket.once('error', reject);
  });
}

/**
 * `kubectl auth can-i` as the identity of a kubeconfig: true for yes, false for no. A resource
 * of a group the cluster does not serve (Karmada's `works.work.karmada.io` on a plain hub) is
 * asked with a SelfSubjectAccessReview instead: kubectl, not finding it in discovery, would ask
 * about a core resource literally named `works.work.karmada.io` and always hear no.
 */
export async function canI(sb: Sandbox, kubeconfig: string, args: string[]): Promise<boolean> {
  const kubectl = (more: string[]) =>
    runCommand(path.join(sb.binDir, 'kubectl'), ['--kubeconfig', kubeconfig, ...more]);
  const out = await kubectl(['auth', 'can-i', ...args]);
  if (out.code > 1 || !/^(yes|no)/.test(out.stdout.trim())) {
    throw new Error(`kubectl auth can-i ${args.join(' ')}: ${out.stdout}${out.stderr}`);
  }
  if (!/doesn't have a resource type '[^']+' in group/.test(out.stderr)) return out.code === 0;
  const review = accessReview(args);
  const file = path.join(sb.layout.dir, `access-review-${randomUUID()}.json`);
  await writeFile(file, JSON.stringify(review.body));
  const answer = await kubectl([
    ...review.kubectlArgs,
    'create',
    '--validate=false',
    '-o',
    'json',
    '-f',
    file,
  ]).finally(() => rm(file, { force: true }));
  if (answer.code !== 0) throw new Error(`SelfSubjectAccessReview for ${args.join(' ')}: ${answer.stderr}`);
  return (JSON.parse(answer.stdout) as { status?: { allowed?: boolean } }).status?.allowed === true;
}

/** The SelfSubjectAccessReview `kubectl auth can-i VERB RESOURCE.GROUP[/NAME] [flags]` means. */
export function accessReview(args: readonly string[]) {
  const [verb = '', target = ''] = args;
  const flag = (name: string) => {
    const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
    if (i < 0) return undefined;
    const a = args[i] ?? '';
    return a.includes('=') ? a.slice(a.indexOf('=') + 1) : args[i + 1];
  };
  const [resourceGroup = '', name] = target.split('/');
  const dot = resourceGroup.indexOf('.');
  const context = flag('--context');
  return {
    kubectlArgs: context ? ['--context', context] : [],
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: {
          verb,
          resource: dot < 0 ? resourceGroup : resourceGroup.slice(0, dot),
          group: dot < 0 ? '' : resourceGroup.slice(dot + 1),
          ...(name ? { name } : {}),
          ...(flag('--subresource') ? { subresource: flag('--subresource') } : {}),
          namespace: args.includes('--all-namespaces') || args.includes('-A') ? '' : (flag('-n') ?? ''),
        },
      },
    },
  };
}
