/**
 * Durations on the command line, written as Kubernetes components write them:
 * `500ms`, `30s`, `5m`, `1h`, `1m30s`.
 */

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Parses a duration into milliseconds; throws naming the flag when it is malformed. */
export function parseDuration(text: string, flag: string): number {
  if (text === '0') return 0; // as Go's time.ParseDuration: a bare zero needs no unit
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let matched = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * (UNITS[m[2] ?? ''] ?? 0);
    matched = re.lastIndex;
  }
  if (text === '' || matched !== text.length) {
    throw new Error(`${flag}: '${text}' is not a duration (examples: 500ms, 30s, 5m, 1h, 1m30s)`);
  }
  return Math.round(total);
}

/**
 * Writes a duration as the flags take it, for messages that quote a bound back to the user:
 * `250ms` below a second, else seconds (`2s`, `1.5s`, `600s`).
 */
export function formatDuration(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(3))}s`;
}
