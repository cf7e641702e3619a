/**
 * The latency CDF of each contender as points to plot. Pure.
 */

/** One point of a CDF: the share of samples at or below `ms`. */
export interface CdfPoint {
  ms: number;
  fraction: number;
}

/**
 * The empirical CDF of `samples` thinned to at most `maxPoints` points: each point is a sample
 * at an evenly spaced rank, and the first and the last sample are always kept, so the plot
 * shows the exact minimum and the exact tail.
 */
export function cdfPoints(samples: readonly number[], maxPoints = 200): CdfPoint[] {
  if (maxPoints < 2) throw new Error(`a CDF needs at least 2 points, asked for ${maxPoints}`);
  const sorted = samples.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return [];
  const ranks = new Set<number>();
  if (n <= maxPoints) for (let i = 0; i < n; i++) ranks.add(i);
  else for (let k = 0; k < maxPoints; k++) ranks.add(Math.round((k * (n - 1)) / (maxPoints - 1)));
  return [...ranks].sort((a, b) => a - b).map((i) => ({ ms: sorted[i] as number, fraction: (i + 1) / n }));
}

/** Rows for a plotting library: one per point, tagged with its series. */
export function cdfRows(
  series: Readonly<Record<string, readonly number[]>>,
  maxPoints = 200,
): Array<CdfPoint & { series: string }> {
  return Object.entries(series).flatMap(([name, samples]) =>
    cdfPoints(samples, maxPoints).map((p) => ({ ...p, series: name })),
  );
}
