/**
 * What a benchmark reads about a process from Linux's /proc: the CPU time it has used and its
 * peak resident set. The parsers are pure; the readers take a pid.
 */
import { readFile, writeFile } from 'node:fs/promises';

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on every Linux we run on). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system, every thread) from the text of /proc/<pid>/stat. The command name
 * is in parentheses and may hold spaces and parentheses, so fields are counted after the last ')'.
 */
export function parseCpuSeconds(stat: string): number {
  const close = stat.lastIndexOf(')');
  if (close < 0) throw new Error(`not a /proc/<pid>/stat line: ${stat.slice(0, 80)}`);
  const fields = stat.slice(close + 2).split(' ');
  // utime and stime are fields 14 and 15 of the line; the slice starts at field 3 (state).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime))
    throw new Error(`no utime/stime in /proc/<pid>/stat: ${stat.slice(0, 120)}`);
  return (utime + stime) / USER_HZ;
}

/** A `Vm…:   123 kB` line of /proc/<pid>/status, in MB (MiB); throws when the field is missing. */
export function parseStatusMb(status: string, field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m) throw new Error(`/proc/<pid>/status has no ${field} line`);
  return Number(m[1]) / 1024;
}

/** CPU seconds process `pid` has used so far. */
export async function cpuSeconds(pid: number): Promise<number> {
  return parseCpuSeconds(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** The sum of the CPU seconds of several processes. */
export async function totalCpuSeconds(pids: readonly number[]): Promise<number> {
  const each = await Promise.all(pids.map(cpuSeconds));
  return each.reduce((a, b) => a + b, 0);
}

/** Peak resident set (VmHWM) of process `pid`, in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  return parseStatusMb(await readFile(`/proc/${pid}/status`, 'utf8'), 'VmHWM');
}

/**
 * Resets the peak resident set (VmHWM) of process `pid` to its current RSS (Linux's
 * `/proc/<pid>/clear_refs`, value 5), so a peak can be read for one period of a long-running process.
 */
export async function resetPeakRss(pid: number): Promise<void> {
  await writeFile(`/proc/${pid}/clear_refs`, '5');
}
