/**
 * Helpers for end-to-end tests on the sandbox: attach to it, give each test namespaces
 * of its own, apply manifests, run kubectl, and wait for a condition without sleeping
 * blindly.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CoreV1Api,
  CustomObjectsApi,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { CLUSTERS, type ClusterName } from './layout.ts';
import { sleep } from './processes.ts';
import { REPO_ROOT, Sandbox } from './sandbox.ts';

let attached: Promise<Sandbox> | undefined;

/** The sandbox this test run uses (MCS_SANDBOX_DIR, set by `make test-e2e`, or `.sandbox/`). */
export function useSandbox(): Promise<Sandbox> {
  attached ??= Sandbox.attach();
  return attached;
}

/** A fresh, unique namespace name, e.g. `t-seed-3f9a1c`. */
export function uniqueName(prefix: string): string {
  return `t-${prefix}-${randomBytes(3).toString('hex')}`;
}

/**
 * Creates a namespace of this name in the given clusters and returns a function that
 * deletes them again (call it from `after`). Tests never share a namespace.
 */
export async function createNamespace(
  sb: Sandbox,
  name: string,
  clusters: readonly ClusterName[] = CLUSTERS,
): Promise<() => Promise<void>> {
  await Promise.all(
    clusters.map((c) =>
      sb
        .kubeConfig(c)
        .makeApiClient(CoreV1Api)
        .createNamespace({ body: { metadata: { name } } }),
    ),
  );
  return async () => {
    const del = (c: ClusterName) =>
      sb
        .kubeConfig(c)
        .makeApiClient(CoreV1Api)
        .deleteNamespace({ name })
        .catch(() => undefined);
    // The hub first, and wait for it to go: its MCS objects are withdrawn by a running
    // syncer before the member namespaces go, or a syncer would re-create those.
    if (clusters.includes('hub')) {
      await del('hub');
      const gone = await eventually(
        `namespace ${name} deleted on the hub`,
        async () => {
          const found = await sb
            .kubeConfig('hub')
            .makeApiClient(CoreV1Api)
            .readNamespace({ name })
            .catch((err: { code?: number }) => {
              if (err.code === 404) return undefined;
              throw err;
            });
          if (found) throw new Error(`still ${found.status?.phase ?? 'there'}`);
        },
        { timeoutMs: 20_000 },
      ).then(
        () => true,
        () => false,
      );
      if (!gone) await releaseFinalizers(sb, name);
    }
    await Promise.all(clusters.filter((c) => c !== 'hub').map(del));
  };
}

/** Drops the finalizers of MCS objects in a namespace nobody will clean up (no syncer runs). */
async function releaseFinalizers(sb: Sandbox, namespace: string): Promise<void> {
  const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
  const mcs = { group: 'networking.karmada.io', version: 'v1alpha1', plural: 'multiclusterservices' };
  const list = (await custom
    .listNamespacedCustomObject({ ...mcs, namespace })
    .catch(() => ({ items: [] }))) as {
    items: Array<{ metadata?: { name?: string } }>;
  };
  for (const item of list.items) {
    await custom
      .patchNamespacedCustomObject(
        { ...mcs, namespace, name: item.metadata?.name ?? '', body: { metadata: { finalizers: null } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .catch(() => undefined);
  }
}

/** Reads a manifest file (relative to test/fixtures/) into its objects. */
export async function loadFixture(file: string): Promise<KubernetesObject[]> {
  const text = await readFile(path.join(REPO_ROOT, 'test/fixtures', file), 'utf8');
  return loadAllYaml(text) as KubernetesObject[];
}

/** Creates each object in `cluster`, in `namespace` when the object is namespaced. */
export async function createAll(
  sb: Sandbox,
  cluster: ClusterName,
  namespace: string,
  objects: KubernetesObject[],
): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(sb.kubeConfig(cluster));
  for (const obj of objects) {
    await api.create({ ...obj, metadata: { ...obj.metadata, namespace } });
  }
}

/** Runs the sandbox's kubectl against its kubeconfig; resolves with stdout, rejects with stderr. */
export async function kubectl(sb: Sandbox, args: string[], input?: string): Promise<string> {
  const bin = path.join(sb.binDir, 'kubectl');
  return new Promise((resolve, reject) => {
    const child = execFile(
      bin,
      ['--kubeconfig', sb.layout.kubeconfig, ...args],
      { maxBuffer: 32 << 20 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr.trim() || err.message}`));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Runs a command and returns its exit code, stdout and stderr (never throws on a non-zero exit). */
export async function runCommand(
  file: string,
  args: string[],
  env?: NodeJS.ProcessEnv,
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(file, args, { env: env ?? process.env });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/**
 * Retries `check` until it stops throwing, and returns its result. On timeout, throws the
 * last failure, prefixed with `what`: the assertion message says what was still wrong.
 */
export async function eventually<T>(
  what: string,
  check: () => Promise<T>,
  { timeoutMs = 60_000, intervalMs = 200 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) {
        const e = err as Error;
        e.message = `${what}: still failing after ${timeoutMs / 1000} s: ${e.message}`;
        throw e;
      }
    }
    await sleep(intervalMs);
  }
}

/** True when an IPv4 address lies inside an IPv4 CIDR. */
export function ipInCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string) => a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = toInt(base ?? '');
  const n = toInt(ip);
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && n >= start && n < start + size;
}
