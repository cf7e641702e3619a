/**
 * Turning rounds of measurements into the figures a benchmark reports: the median of each
 * figure over the rounds, a plain-text table, and the verdict against a target.
 */
import type { LoadFigures } from './load.ts';

/** The median figures of one route over every round. */
export interface RouteSummary {
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number };
  /** Server CPU per answered request, in microseconds: the cost that contention does not hide. */
  serverCpuMicrosPerRequest?: number;
  serverCpu?: number;
  clientCpu: number;
  /** The same route over one connection: the latency of a request without queueing. */
  oneConnection?: { requestsPerSecond: number; p50: number; p99: number };
  /** Summed over the rounds: connection errors, timeouts and non-2xx answers. */
  failures: number;
}

/** The median of numbers (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? Number.NaN)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function medianOf(rounds: readonly LoadFigures[], pick: (f: LoadFigures) => number | undefined) {
  const values = rounds.map(pick).filter((v): v is number => v !== undefined);
  return values.length === rounds.length ? median(values) : undefined;
}

/** The median of each figure over the rounds of one route, with the one-connection run if any. */
export function summarize(rounds: readonly LoadFigures[], alone?: LoadFigures): RouteSummary {
  const m = (pick: (f: LoadFigures) => number) => median(rounds.map(pick));
  const serverCpu = medianOf(rounds, (f) => f.serverCpu);
  const cost = medianOf(rounds, (f) =>
    f.serverCpu === undefined ? undefined : (f.serverCpu / f.requestsPerSecond) * 1e6,
  );
  return {
    requestsPerSecond: m((f) => f.requestsPerSecond),
    latencyMs: {
      p50: m((f) => f.latencyMs.p50),
      p90: m((f) => f.latencyMs.p90),
      p99: m((f) => f.latencyMs.p99),
      p999: m((f) => f.latencyMs.p999),
      max: Math.max(...rounds.map((f) => f.latencyMs.max)),
    },
    ...(cost !== undefined ? { serverCpuMicrosPerRequest: cost } : {}),
    ...(serverCpu !== undefined ? { serverCpu } : {}),
    clientCpu: m((f) => f.clientCpu),
    ...(alone
      ? {
          oneConnection: {
            requestsPerSecond: alone.requestsPerSecond,
            p50: alone.latencyMs.p50,
            p99: alone.latencyMs.p99,
          },
        }
      : {}),
    failures: [...rounds, ...(alone ? [alone] : [])].reduce(
      (n, f) => n + f.errors + f.timeouts + f.non2xx,
      0,
    ),
  };
}

/** A route's summary next to the ceiling's, against the target. */
export interface Verdict {
  route: string;
  throughputRatio: number;
  /** The same ratio from server CPU per request (throughput one core would reach uncontended). */
  cpuCostRatio?: number;
  p99Ms: number;
  met: boolean;
}

/** Judges a route against the ceiling: at least minThroughputRatio of its req/s, and p99 under maxP99Ms when given. */
export function verdict(
  route: string,
  summary: RouteSummary,
  ceiling: RouteSummary,
  target: { minThroughputRatio: number; maxP99Ms?: number },
): Verdict {
  const throughputRatio = summary.requestsPerSecond / ceiling.requestsPerSecond;
  const a = summary.serverCpuMicrosPerRequest;
  const b = ceiling.serverCpuMicrosPerRequest;
  return {
    route,
    throughputRatio,
    ...(a !== undefined && b !== undefined ? { cpuCostRatio: b / a } : {}),
    p99Ms: summary.latencyMs.p99,
    met:
      throughputRatio >= target.minThroughputRatio &&
      (target.maxP99Ms === undefined || summary.latencyMs.p99 < target.maxP99Ms),
  };
}

const fixed = (n: number | undefined, digits: number) => (n === undefined ? '-' : n.toFixed(digits));
const percent = (n: number | undefined) => (n === undefined ? '-' : `${Math.round(n * 100)}%`);

/** The summaries as an aligned plain-text table, one row per route. */
export function table(rows: readonly { label: string; summary: RouteSummary }[]): string {
  const header = [
    'route',
    'req/s',
    'p50 ms',
    'p90 ms',
    'p99 ms',
    'server CPU',
    'µs CPU/req',
    'load gen CPU',
    '1 conn p50',
    '1 conn p99',
    'failures',
  ];
  const cells = rows.map(({ label, summary: s }) => [
    label,
    fixed(s.requestsPerSecond, 0),
    fixed(s.latencyMs.p50, 2),
    fixed(s.latencyMs.p90, 2),
    fixed(s.latencyMs.p99, 2),
    percent(s.serverCpu),
    fixed(s.serverCpuMicrosPerRequest, 0),
    percent(s.clientCpu),
    fixed(s.oneConnection?.p50, 2),
    fixed(s.oneConnection?.p99, 2),
    String(s.failures),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => (row[i] ?? '').length)));
  const line = (row: string[]) =>
    row.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  return [line(header), ...cells.map(line)].join('\n');
}
