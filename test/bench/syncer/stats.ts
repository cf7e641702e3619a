/**
 * Small numeric helpers for the syncer benchmarks.
 */

/** Latency percentiles of a set of samples (ms), nearest-rank. */
export interface Percentiles {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Nearest-rank percentiles; throws on an empty sample, which would mean nothing was measured. */
export function percentiles(samples: readonly number[]): Percentiles {
  if (samples.length === 0) throw new Error('no samples to summarise');
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
  return {
    count: sorted.length,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted[sorted.length - 1] ?? Number.NaN,
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight. */
export async function inParallel<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, i: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      const item = items[i];
      if (i >= items.length || item === undefined) return;
      await fn(item, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The i-th address of a /16-sized marker range inside `base` (e.g. 10.10.0.0 + i). */
export function markerAddress(base: [number, number], i: number): string {
  const n = i % 65_000;
  return `${base[0]}.${base[1]}.${Math.floor(n / 250) + 2}.${(n % 250) + 1}`;
}

/** How many samples are over `limitMs`: the tail the percentiles hide. */
export function slowSamples(samples: readonly number[], limitMs: number): number {
  return samples.filter((s) => s > limitMs).length;
}

/** The bench sandbox's first port, from --port-base or $MCS_BENCH_PORT_BASE (default 17600); throws naming a bad value. */
export function benchPortBase(text: string | undefined): number {
  if (text === undefined || text === '') return 17_600;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1024 || n > 65435)
    throw new Error(`--port-base (or MCS_BENCH_PORT_BASE): '${text}' is not a port from 1024 to 65435`);
  return n;
}
