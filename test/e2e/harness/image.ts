/**
 * The image under test in podman: podman commands bounded in time, what the kubelet prepares
 * for a pod (Secret volumes with their mode and fsGroup, the ServiceAccount's token), and the
 * chart's rendered containers started from the image with {@link podmanRunArgs}. Every
 * container carries the sandbox's marker (label and environment), so `sandbox down` stops its
 * process and {@link removeContainers} removes it, whatever a test left behind.
 */
import { execFile } from 'node:child_process';
import { chmod, chown, lstat, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { V1Container, V1Deployment, V1Volume } from '@kubernetes/client-node';
import { probe } from '../../sandbox/health.ts';
import { COMPONENT_ENV, SANDBOX_ENV, sleep } from '../../sandbox/processes.ts';
import { REPO_ROOT, type Sandbox } from '../../sandbox/sandbox.ts';
import { materialiseMounts, renderedFlag, serviceAccountToken } from './chart.ts';
import { type PodRuntime, podmanRunArgs } from './podman-run.ts';

/** podman with the project's runtime and limits (test/image/podman.sh), as `make image` runs it. */
const PODMAN = path.join(REPO_ROOT, 'test/image/podman.sh');

/** The label that ties a container to the sandbox whose test started it. */
export const SANDBOX_LABEL = 'io.mcs-bridge.e2e-sandbox';

/** What a podman command printed, and how it ended. */
export interface PodmanResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs podman; never throws on a non-zero exit; one that outlives `timeoutMs` is killed (code -1). */
export function podman(args: string[], timeoutMs = 60_000): Promise<PodmanResult> {
  return new Promise((resolve) => {
    execFile(PODMAN, args, { timeout: timeoutMs, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      const code = !e ? 0 : e.killed ? -1 : typeof e.code === 'number' ? e.code : 1;
      const why = e?.killed ? `\n(podman ${args[0]} killed after ${timeoutMs / 1000} s)` : '';
      resolve({ code, stdout, stderr: `${stderr}${why}${e && typeof e.code === 'string' ? e.message : ''}` });
    });
  });
}

/** Runs podman and returns its stdout; throws naming the command and its stderr on failure. */
export async function podmanOk(args: string[], timeoutMs = 60_000): Promise<string> {
  const r = await podman(args, timeoutMs);
  if (r.code !== 0)
    throw new Error(`podman ${args.slice(0, 3).join(' ')}… exited ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Whether podman's storage holds `image`. */
export async function imagePresent(image: string): Promise<boolean> {
  return (await podman(['image', 'exists', image])).code === 0;
}

/** Removes every container this sandbox's tests started (running or not). */
export async function removeContainers(sb: Sandbox): Promise<void> {
  const ids = (await podmanOk(['ps', '-a', '-q', `--filter=label=${SANDBOX_LABEL}=${sb.layout.dir}`]))
    .split('\n')
    .filter(Boolean);
  if (ids.length) await podmanOk(['rm', '-f', '-t', '0', ...ids], 120_000);
}

/**
 * Writes the Secret volumes a container mounts as the kubelet does: the rendered items, each
 * file with the volume's defaultMode, owned by root and the pod's fsGroup. Returns volume name
 * → folder.
 */
export async function prepareSecretVolumes(
  sb: Sandbox,
  deployment: V1Deployment,
  containerName: string,
  dir: string,
): Promise<Map<string, string>> {
  const pod = deployment.spec?.template.spec;
  const container = pod?.containers.find((c) => c.name === containerName);
  if (!container) throw new Error(`the rendered Deployment has no container ${containerName}`);
  const byPath = await materialiseMounts(sb, deployment, container, dir);
  const folders = new Map<string, string>();
  for (const mount of container.volumeMounts ?? []) {
    const secret = pod?.volumes?.find((v) => v.name === mount.name)?.secret;
    const folder = byPath.get(mount.mountPath);
    if (!secret || !folder) continue;
    await chmod(folder, 0o755);
    for (const file of await readdir(folder)) {
      await chown(path.join(folder, file), 0, pod?.securityContext?.fsGroup ?? 0);
      await chmod(path.join(folder, file), secret.defaultMode ?? 0o644);
    }
    folders.set(mount.name, folder);
  }
  return folders;
}

/** Writes token, ca.crt and namespace for the Deployment's ServiceAccount (a TokenRequest token). */
export async function prepareServiceAccount(
  sb: Sandbox,
  deployment: V1Deployment,
  dir: string,
): Promise<string> {
  const namespace = deployment.metadata?.namespace ?? '';
  const account = deployment.spec?.template.spec?.serviceAccountName ?? 'default';
  const token = await serviceAccountToken(sb, 'hub', namespace, account);
  await mkdir(dir, { recursive: true, mode: 0o755 });
  // The kubelet's projected token volume has defaultMode 0644.
  for (const [file, content] of [
    ['token', token],
    ['ca.crt', sb.admin.caPem],
    ['namespace', namespace],
  ] as const) {
    await writeFile(path.join(dir, file), content, { mode: 0o644 });
  }
  return dir;
}

/** A container started from the image. */
export class PodContainer {
  constructor(
    /** Its podman name. */
    readonly name: string,
  ) {}

  /** Everything it printed (stdout and stderr). */
  async logs(): Promise<string> {
    const r = await podman(['logs', this.name]);
    return r.stdout + r.stderr;
  }

  /** podman's view of it (`podman inspect` of a container). */
  async state(): Promise<{ Running: boolean; ExitCode: number; Pid: number; OOMKilled: boolean }> {
    const [c] = JSON.parse(await podmanOk(['container', 'inspect', this.name])) as {
      State: { Running: boolean; ExitCode: number; Pid: number; OOMKilled: boolean };
    }[];
    if (!c) throw new Error(`podman knows no container ${this.name}`);
    return c.State;
  }

  /** Its processes, one row per process, with podman top's descriptors as columns. */
  async processes(descriptors: string[]): Promise<string[][]> {
    const out = await podmanOk(['top', this.name, ...descriptors]);
    return out
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/));
  }

  /** Runs a command inside it (as its user); never throws on a non-zero exit. */
  exec(args: string[]): Promise<PodmanResult> {
    return podman(['exec', this.name, ...args]);
  }

  /**
   * `podman stop` with the given grace (SIGTERM, then SIGKILL when it runs out); resolves with
   * the exit code and how long the stop took.
   */
  async stop(graceSeconds: number): Promise<{ exitCode: number; ms: number }> {
    const started = Date.now();
    await podmanOk(['stop', '-t', String(graceSeconds), this.name], (graceSeconds + 60) * 1000);
    return { exitCode: (await this.state()).ExitCode, ms: Date.now() - started };
  }
}

/** How to start one of the chart's containers from the image. */
export interface StartOptions {
  /** A folder for its volumes and token. */
  dir: string;
  /** Its podman name, unique within the test run. */
  containerName: string;
  /** Run this image instead of the one the chart names. */
  image?: string;
}

/**
 * Starts a container of the rendered Deployment from the image, with what the kubelet would
 * give it, and waits until its /readyz (on the rendered health or metrics port) answers 200.
 * A container that exits first, or stays unready, fails with its logs.
 */
export async function startPodContainer(
  sb: Sandbox,
  deployment: V1Deployment,
  name: 'webhook' | 'syncer',
  opts: StartOptions,
): Promise<PodContainer> {
  const container = deployment.spec?.template.spec?.containers.find((c) => c.name === name);
  if (!container) throw new Error(`the rendered Deployment has no container ${name}`);
  const hub = new URL(sb.server('hub'));
  const args = podmanRunArgs(deployment, name, {
    containerName: opts.containerName,
    ...(opts.image ? { image: opts.image } : {}),
    podName: `${deployment.metadata?.name}-image`,
    namespace: deployment.metadata?.namespace ?? '',
    apiServer: { host: hub.hostname, port: hub.port },
    serviceAccountDir: await prepareServiceAccount(sb, deployment, path.join(opts.dir, 'serviceaccount')),
    secretDirs: await prepareSecretVolumes(sb, deployment, name, opts.dir),
    labels: { [SANDBOX_LABEL]: sb.layout.dir },
    // The sandbox's marker: `sandbox down` stops the container's process like any of ours.
    extraEnv: { [SANDBOX_ENV]: sb.layout.dir, [COMPONENT_ENV]: opts.containerName },
  });
  await podmanOk(args);
  const c = new PodContainer(opts.containerName);
  const port = renderedFlag(container, name === 'webhook' ? 'health-port' : 'metrics-port');
  await waitReady(c, `http://127.0.0.1:${port}/readyz`, 90_000);
  return c;
}

/** Waits until `url` answers 200 while the container runs; fails with its logs otherwise. */
export async function waitReady(c: PodContainer, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await probe(url).catch(() => undefined);
    if (r?.status === 200) return;
    if (!(await c.state()).Running)
      throw new Error(`${c.name} exited before ${url} was ready:\n${await c.logs()}`);
    if (Date.now() > deadline)
      throw new Error(`${c.name}: ${url} not ready after ${timeoutMs / 1000} s:\n${await c.logs()}`);
    await sleep(250);
  }
}

/** What a one-off container printed, and how it ended. */
export interface OneOffResult {
  exitCode: number;
  output: string;
}

/**
 * Runs `container` to completion in a copy of the rendered pod (its securityContext, its
 * volumes plus `volumes`), without the ServiceAccount token, and removes it. `diskDirs` gives
 * the node's folder of each emptyDir on disk.
 */
export async function runOneOff(
  sb: Sandbox,
  deployment: V1Deployment,
  container: V1Container,
  opts: { containerName: string; volumes?: V1Volume[]; diskDirs?: Map<string, string>; timeoutMs?: number },
): Promise<OneOffResult> {
  const pod = deployment.spec?.template.spec;
  const variant: V1Deployment = {
    ...deployment,
    spec: {
      selector: deployment.spec?.selector ?? {},
      template: {
        ...deployment.spec?.template,
        spec: {
          ...pod,
          automountServiceAccountToken: false,
          containers: [container],
          volumes: [...(pod?.volumes ?? []), ...(opts.volumes ?? [])],
        },
      },
    },
  };
  const rt: PodRuntime = {
    containerName: opts.containerName,
    podName: `${deployment.metadata?.name}-oneoff`,
    namespace: deployment.metadata?.namespace ?? '',
    apiServer: { host: '127.0.0.1', port: new URL(sb.server('hub')).port },
    secretDirs: new Map(),
    ...(opts.diskDirs ? { diskDirs: opts.diskDirs } : {}),
    labels: { [SANDBOX_LABEL]: sb.layout.dir },
  };
  await podmanOk(podmanRunArgs(variant, container.name, rt));
  try {
    const waited = await podman(['wait', opts.containerName], opts.timeoutMs ?? 60_000);
    if (waited.code !== 0) throw new Error(`${opts.containerName} did not end: ${waited.stderr}`);
    const c = new PodContainer(opts.containerName);
    return { exitCode: Number(waited.stdout.trim()), output: await c.logs() };
  } finally {
    await podman(['rm', '-f', '-t', '0', opts.containerName]);
  }
}

/** One entry of an image's file system, as a scanner reads it from the layers. */
export interface ImageEntry {
  /** Its path without the leading slash, e.g. `usr/local/bin/node`. */
  path: string;
  uid: number;
  gid: number;
  /** Permission bits, with setuid, setgid and sticky. */
  mode: number;
  type: 'file' | 'dir' | 'link' | 'other';
}

/** Every entry of the image's file system (mounted read-only by podman, walked here). */
export async function imageEntries(image: string): Promise<ImageEntry[]> {
  const root = (await podmanOk(['image', 'mount', image])).trim();
  try {
    const entries: ImageEntry[] = [];
    const walk = async (rel: string): Promise<void> => {
      for (const d of await readdir(path.join(root, rel), { withFileTypes: true })) {
        const p = rel ? `${rel}/${d.name}` : d.name;
        const st = await lstat(path.join(root, p));
        const type = d.isSymbolicLink() ? 'link' : d.isDirectory() ? 'dir' : d.isFile() ? 'file' : 'other';
        entries.push({ path: p, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, type });
        if (type === 'dir') await walk(p);
      }
    };
    await walk('');
    return entries;
  } finally {
    await podman(['image', 'unmount', image]);
  }
}
