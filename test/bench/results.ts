/**
 * bench-results.json: a benchmark writes its figures under a key of its own in `.results/`
 * (ignored), leaving the other keys as it found them; `make bench-report` merges those keys over
 * the committed docs/results/bench-results.json and renders docs/performance.md from it.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../sandbox/sandbox.ts';

const run = promisify(execFile);

/** Where a benchmark run writes its figures: ignored by git, so a run leaves the tree as it was. */
export const RESULTS_FILE = path.join(REPO_ROOT, '.results/bench-results.json');
/** The figures docs/performance.md renders, committed with it by whoever runs `make bench-report`. */
export const COMMITTED_RESULTS_FILE = path.join(REPO_ROOT, 'docs/results/bench-results.json');

/** What a figure depends on besides the code: the machine and the runtime, and when it was taken. */
export interface MachineInfo {
  date: string;
  node: string;
  cores: number;
  cpu: string;
  platform: string;
}

/** The machine this process runs on, now. */
export function machineInfo(now: Date = new Date()): MachineInfo {
  const cpus = os.cpus();
  return {
    date: now.toISOString(),
    node: process.version,
    cores: cpus.length,
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  };
}

/**
 * Sets `key` in the results file to value, keeping every other key. A file that is not a JSON
 * object is an error (it is not ours to overwrite); a missing one is created.
 */
export async function recordResults(key: string, value: unknown, file: string = RESULTS_FILE): Promise<void> {
  let all: Record<string, unknown> = {};
  let text: string | undefined;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  if (text !== undefined && text.trim() !== '') {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new Error(`${file} is not a JSON object; not overwriting it`);
    }
    all = parsed as Record<string, unknown>;
  }
  all[key] = value;
  await mkdir(path.dirname(file), { recursive: true });
  // Written aside and renamed, so a benchmark running at the same time never reads half a file.
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, `${JSON.stringify(all, null, 2)}\n`);
  await rename(temp, file);
}

/** What code and which upstream programs a figure was measured with. */
export interface Provenance {
  /** The commit of this repository (with `-dirty` when the tree had changes). */
  commit: string;
  versions: { mcsBridge: string; kubernetes: string; karmada: string; etcd: string };
}

/** `KEY=value` lines of test/sandbox/versions.env as a record. Pure. */
export function parseVersionsEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .map((l) => /^([A-Z0-9_]+)=(\S*)/.exec(l.trim()))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1] as string, m[2] as string]),
  );
}

/** This checkout's commit and the pinned versions of the programs the benchmarks run. */
export async function provenance(): Promise<Provenance> {
  const env = parseVersionsEnv(await readFile(path.join(REPO_ROOT, 'test/sandbox/versions.env'), 'utf8'));
  const pkg = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
  const git = async (...args: string[]) =>
    (await run('git', args, { cwd: REPO_ROOT, timeout: 10_000 })).stdout.trim();
  const commit = await git('rev-parse', '--short=12', 'HEAD').catch(() => 'unknown');
  const dirty = (await git('status', '--porcelain', '--untracked-files=no').catch(() => '')) !== '';
  return {
    commit: dirty ? `${commit}-dirty` : commit,
    versions: {
      mcsBridge: pkg.version,
      kubernetes: env.K8S_VERSION ?? 'unknown',
      karmada: env.KARMADA_VERSION ?? 'unknown',
      etcd: env.ETCD_VERSION ?? 'unknown',
    },
  };
}
