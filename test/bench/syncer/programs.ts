/**
 * The processes a syncer benchmark measures: the syncer itself, and the floor copier.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, type RunningProgram, startProgram, waitHttpOk } from '../../sandbox/our-processes.ts';
import { COMPONENT_ENV, SANDBOX_ENV } from '../../sandbox/processes.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';

const here = path.dirname(fileURLToPath(import.meta.url));

/** A running syncer and readers of its figures. */
export interface BenchSyncer {
  program: RunningProgram;
  /** Sum of the syncer's API writes (create, update, delete, patch) so far. */
  writes(): Promise<number>;
  /** Its peak resident set size in MB (VmHWM). */
  peakRssMb(): Promise<number>;
  /** Its current work-queue depth. */
  queueDepth(): Promise<number>;
  /** Its live JavaScript heap in MB. */
  heapUsedMb(): Promise<number>;
  /** Its /metrics text. */
  metricsText(): Promise<string>;
}

/**
 * Starts the syncer on the sandbox with the given members and waits for /readyz. Its hub is the
 * sandbox's hub unless `hubContext` names another cluster of the sandbox's kubeconfig.
 * `members` `'karmada'`: Karmada's Clusters on the hub are the members (Pull ones included).
 */
export async function startBenchSyncer(
  sb: Sandbox,
  name: string,
  members: string[] | 'karmada',
  hubContext = 'hub',
): Promise<BenchSyncer> {
  const port = await freePort(sb);
  const program = await startProgram(
    sb,
    name,
    'syncer',
    [
      `--kubeconfig=${sb.layout.kubeconfig}`,
      `--context=${hubContext}`,
      ...(members === 'karmada'
        ? ['--cluster-source=karmada']
        : [`--member-kubeconfig=${sb.layout.kubeconfig}`, ...members.map((m) => `--member-context=${m}`)]),
      `--metrics-port=${port}`,
      '--metrics-bind-address=127.0.0.1',
      '--resync-period=0',
      '--log-level=warn',
      // MCS_BENCH_SYNCER_ARGS adds syncer flags (e.g. --workers 48) for an experiment.
      ...(process.env.MCS_BENCH_SYNCER_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
    {},
    // MCS_BENCH_PROFILE_DIR=/some/dir writes a CPU profile of each syncer run there;
    // MCS_BENCH_NODE_ARGS adds Node.js flags (e.g. --heapsnapshot-signal=SIGUSR2).
    [
      ...(process.env.MCS_BENCH_PROFILE_DIR
        ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MCS_BENCH_PROFILE_DIR}`]
        : []),
      ...(process.env.MCS_BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
  );
  await waitHttpOk(program, `http://127.0.0.1:${port}/readyz`, 120_000);
  const metrics = async () =>
    (await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  return {
    program,
    metricsText: metrics,
    writes: async () =>
      [
        ...(await metrics()).matchAll(
          /^mcs_bridge_syncer_api_requests_total\{[^}]*verb="(?:create|update|delete|patch)"[^}]*\} (\d+)/gm,
        ),
      ]
        .map((m) => Number(m[1]))
        .reduce((a, b) => a + b, 0),
    queueDepth: async () =>
      Number(/^mcs_bridge_syncer_queue_depth (\d+)/m.exec(await metrics())?.[1] ?? Number.NaN),
    heapUsedMb: async () =>
      Number(
        /^mcs_bridge_syncer_nodejs_heap_size_used_bytes (\d+)/m.exec(await metrics())?.[1] ?? Number.NaN,
      ) / 1e6,
    peakRssMb: async () => {
      const status = await readFile(`/proc/${program.pid}/status`, 'utf8');
      return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
    },
  };
}

/** Starts the floor copier from member1 to `to` for one namespace; resolves once it watches. */
export async function startFloorCopier(
  sb: Sandbox,
  namespace: string,
  selector: string,
  to = 'member2',
): Promise<{ stop(): void }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(here, 'floor-copier.ts'),
      sb.layout.kubeconfig,
      'member1',
      to,
      namespace,
      selector,
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, [SANDBOX_ENV]: sb.layout.dir, [COMPONENT_ENV]: 'bench-floor' },
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`floor copier exited with ${code}`)));
  });
  return { stop: () => child.kill('SIGTERM') };
}

/** Runs the bulk floor writer (floor-bulk.ts) to completion; resolves with what it reports. */
export async function runFloorBulk(
  sb: Sandbox,
  sourceNamespace: string,
  targetNamespace: string,
  concurrency = 48,
): Promise<{ seconds: number; writes: number }> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(here, 'floor-bulk.ts'),
      sb.layout.kubeconfig,
      sourceNamespace,
      targetNamespace,
      String(concurrency),
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, [SANDBOX_ENV]: sb.layout.dir, [COMPONENT_ENV]: 'bench-floor-bulk' },
    },
  );
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const code = await new Promise<number>((resolve) => child.once('exit', (c) => resolve(c ?? 1)));
  if (code !== 0) throw new Error(`the bulk floor writer exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop() ?? '{}') as { seconds: number; writes: number };
}
