/**
 * One measurement: autocannon POSTs the same body over keep-alive HTTPS connections, first for a
 * warm-up that is thrown away, then for the measured period. Latency is taken from autocannon's
 * per-response event at sub-millisecond resolution (its own histogram keeps whole milliseconds),
 * and the CPU the server process and this process used is read alongside.
 */
import autocannon from 'autocannon';
import { cpuSeconds } from './procfs.ts';

/** What to load and how. */
export interface LoadOptions {
  url: string;
  body: string;
  connections: number;
  warmupSeconds: number;
  durationSeconds: number;
  /** The server's pid, to read the CPU time it used (Linux only; omitted elsewhere). */
  serverPid?: number;
}

/** The figures of one measured period. */
export interface LoadFigures {
  requestsPerSecond: number;
  /** Latency percentiles in milliseconds, from every response of the measured period. */
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  requests: number;
  seconds: number;
  /** Connection errors, timeouts and non-2xx answers: any of them makes the figures invalid. */
  errors: number;
  timeouts: number;
  non2xx: number;
  /** CPU used, as a share of one core: the server process, and the load generator (this process). */
  serverCpu?: number;
  clientCpu: number;
}

/** A growable list of latencies (a plain array of 10^5..10^6 numbers would churn the GC of the generator). */
class Samples {
  private data = new Float64Array(1 << 18);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = v;
  }
  sorted(): Float64Array {
    return this.data.slice(0, this.length).sort();
  }
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** CPU seconds a process has used (user + system), from /proc; undefined where there is no /proc. */
async function processCpuSeconds(pid: number): Promise<number | undefined> {
  try {
    return await cpuSeconds(pid);
  } catch {
    return undefined;
  }
}

function cannon(opts: LoadOptions, seconds: number, onLatency?: (ms: number) => void) {
  return new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: opts.body,
        connections: opts.connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    if (onLatency) instance.on('response', (_client, _status, _bytes, ms) => onLatency(ms));
  });
}

/** Warms up, then measures; rejects when autocannon cannot run at all. */
export async function measure(opts: LoadOptions): Promise<LoadFigures> {
  if (opts.warmupSeconds > 0) await cannon(opts, opts.warmupSeconds);
  const samples = new Samples();
  const serverBefore = opts.serverPid ? await processCpuSeconds(opts.serverPid) : undefined;
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const result = await cannon(opts, opts.durationSeconds, (ms) => samples.push(ms));
  const seconds = (performance.now() - started) / 1000;
  const client = process.cpuUsage(clientBefore);
  const serverAfter = opts.serverPid ? await processCpuSeconds(opts.serverPid) : undefined;
  const sorted = samples.sorted();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    requestsPerSecond: sorted.length / seconds,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      p999: percentile(sorted, 99.9),
      max: sorted[sorted.length - 1] ?? Number.NaN,
      mean: sum / sorted.length,
    },
    requests: sorted.length,
    seconds,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
    ...(serverBefore !== undefined && serverAfter !== undefined
      ? { serverCpu: (serverAfter - serverBefore) / seconds }
      : {}),
    clientCpu: (client.user + client.system) / 1e6 / seconds,
  };
}
