/**
 * The contenders of the side-by-side benchmark, each able to stand up and stand down on the
 * shared sandbox and to say what it has cost so far:
 * - mcs-bridge: our syncer, with the sandbox's karmada-host as its hub (so Karmada never sees
 *   its MultiClusterServices, and it never sees Karmada's); Karmada's MCS gate off meanwhile.
 * - Karmada: its MultiClusterService gate and three MCS controllers on, with its scheduler and
 *   webhook, at its default client rate limit (40/s, burst 60) or a raised one.
 * Both write `<provider>-<slice>` copies, each in a namespace of its own, so neither ever meets
 * the other's objects; only one runs at a time.
 */
import path from 'node:path';
import type { ClusterName } from '../../sandbox/layout.ts';
import { readPid } from '../../sandbox/processes.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { cpuSeconds, peakRssMb, resetPeakRss } from '../procfs.ts';
import { type BenchSyncer, startBenchSyncer } from '../syncer/programs.ts';
import { addWrites, clientGoWrites, syncerWrites, type Writes, writesBetween } from './writes.ts';

/** Which implementation, and how it is set. */
export type ContenderId = 'mcs-bridge' | 'karmada-default' | 'karmada-raised';

/** Every contender, in the order tables list them. */
export const CONTENDER_IDS: readonly ContenderId[] = ['mcs-bridge', 'karmada-default', 'karmada-raised'];

/** The cluster ours uses as its hub: Karmada's controllers do not watch it. */
export const OURS_HUB: ClusterName = 'karmada-host';

/** What a contender's processes have used since it last started. */
export interface Usage {
  writes: Writes;
  cpuSeconds: number;
  /** Peak resident set of each process since the start, in MB. */
  peakRssMb: Record<string, number>;
}

/** One implementation on the shared sandbox. */
export interface Contender {
  readonly id: ContenderId;
  /** Where its MultiClusterServices and hub Services are. */
  readonly hub: ClusterName;
  /** The `endpointslice.kubernetes.io/managed-by` value of its copies. */
  readonly managedBy: string;
  /** Stands up, with these members; resolves once it serves (not once it has converged). */
  start(members: readonly string[]): Promise<void>;
  /** Stands down: no process of it acts on the MCS path any more. */
  stop(): Promise<void>;
  /** What its processes on the MCS path have used since start() (API writes from their own client metrics). */
  usage(): Promise<Usage>;
  /** The API server of its hub. */
  hubApiserverPid(): Promise<number>;
}

async function pidOf(sb: Sandbox, component: string): Promise<number> {
  const pid = await readPid(path.join(sb.layout.pidsDir, `${component}.pid`));
  if (pid === undefined)
    throw new Error(`${component} of the sandbox in ${sb.layout.dir} is not running (no pid file)`);
  return pid;
}

async function metricsText(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return res.text();
}

/** mcs-bridge's syncer; every start is a new process, so its counters start at zero. */
export function oursContender(sb: Sandbox): Contender {
  let syncer: BenchSyncer | undefined;
  let starts = 0;
  const running = () => {
    if (!syncer) throw new Error('the syncer is not running');
    return syncer;
  };
  return {
    id: 'mcs-bridge',
    hub: OURS_HUB,
    managedBy: 'syncer.mcs-bridge.io',
    async start(members) {
      if (syncer) throw new Error('the syncer is already running');
      // Karmada's MCS path stands down while ours runs.
      if (sb.karmada?.multiClusterService) await sb.setKarmadaOptions({ multiClusterService: false });
      syncer = await startBenchSyncer(sb, `bench-syncer-${++starts}`, [...members], OURS_HUB);
    },
    async stop() {
      await syncer?.program.stop();
      syncer = undefined;
    },
    async usage() {
      const s = running();
      const [text, cpu, rss] = await Promise.all([s.metricsText(), cpuSeconds(s.program.pid), s.peakRssMb()]);
      return { writes: syncerWrites(text), cpuSeconds: cpu, peakRssMb: { 'mcs-bridge-syncer': rss } };
    },
    hubApiserverPid: () => pidOf(sb, `kube-apiserver-${OURS_HUB}`),
  };
}

/** Karmada's processes on its MCS path (the aggregated apiserver serves Clusters, not MCS), and their metrics ports. */
function karmadaProcesses(sb: Sandbox) {
  const p = sb.layout.karmada;
  return [
    { name: 'karmada-controller-manager', metrics: p.controllerManagerMetrics },
    { name: 'karmada-scheduler', metrics: p.schedulerMetrics },
    { name: 'karmada-webhook', metrics: p.webhookMetrics },
  ];
}

/** One of Karmada's processes at an instant: its pid, writes and CPU. */
interface Reading {
  pid: number;
  writes: Writes;
  cpuSeconds: number;
}

/**
 * Karmada's MCS path at a client rate limit (undefined: Karmada's defaults). start() restarts
 * the controller manager (the gate is a start flag), so its figures start at zero; the
 * scheduler and the webhook keep running, so their figures count from a reading taken at start.
 */
export function karmadaContender(
  sb: Sandbox,
  id: Exclude<ContenderId, 'mcs-bridge'>,
  apiRateLimit: { qps: number; burst: number } | undefined,
): Contender {
  const hubHost = `127.0.0.1:${sb.layout.clusters.hub.apiserverPort}`;
  const read = async (name: string, metrics: number): Promise<Reading> => {
    const pid = await pidOf(sb, name);
    const [text, cpu] = await Promise.all([
      metricsText(`http://127.0.0.1:${metrics}/metrics`),
      cpuSeconds(pid),
    ]);
    return { pid, writes: clientGoWrites(text, hubHost), cpuSeconds: cpu };
  };
  let baseline = new Map<string, Reading>();
  return {
    id,
    hub: 'hub',
    managedBy: 'endpointslice-dispatch-controller.karmada.io',
    async start() {
      // Members are Karmada's joined Clusters.
      const before = new Map<string, Reading>();
      for (const p of karmadaProcesses(sb)) before.set(p.name, await read(p.name, p.metrics));
      await sb.setKarmadaOptions({ multiClusterService: true, apiRateLimit });
      baseline = new Map();
      for (const p of karmadaProcesses(sb)) {
        const pid = await pidOf(sb, p.name);
        const old = before.get(p.name);
        // A process restarted by the change counts from zero.
        if (old && old.pid === pid) {
          baseline.set(p.name, old);
          await resetPeakRss(pid);
        }
      }
    },
    async stop() {
      await sb.setKarmadaOptions({ multiClusterService: false });
    },
    async usage() {
      const readings = await Promise.all(
        karmadaProcesses(sb).map(async (p) => {
          const now = await read(p.name, p.metrics);
          const base = baseline.get(p.name);
          return {
            name: p.name,
            writes: base ? writesBetween(base.writes, now.writes) : now.writes,
            cpuSeconds: now.cpuSeconds - (base?.cpuSeconds ?? 0),
            rss: await peakRssMb(now.pid),
          };
        }),
      );
      return {
        writes: addWrites(readings.map((r) => r.writes)),
        cpuSeconds: readings.reduce((n, r) => n + r.cpuSeconds, 0),
        peakRssMb: Object.fromEntries(readings.map((r) => [r.name, r.rss])),
      };
    },
    hubApiserverPid: () => pidOf(sb, 'kube-apiserver-hub'),
  };
}
