/**
 * Running mcs-bridge's own programs (the webhook, the syncer, the certs CLI) against the
 * sandbox as local processes, the way the end-to-end suites need them. Each carries the
 * sandbox's marker, so `sandbox down` stops it even if a test crashed; each gets ports
 * from the sandbox's free range, so suites never collide.
 */
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { probe } from './health.ts';
import {
  COMPONENT_ENV,
  isAlive,
  lastLines,
  portIsFree,
  SANDBOX_ENV,
  sleep,
  stopProcess,
} from './processes.ts';
import { REPO_ROOT, type Sandbox } from './sandbox.ts';
import { programNodeFlags } from './shebang.ts';

/** The compiled entry point of each program (`make build` writes them). */
export const PROGRAMS = {
  webhook: path.join(REPO_ROOT, 'dist/webhook/main.js'),
  syncer: path.join(REPO_ROOT, 'dist/syncer/main.js'),
  certs: path.join(REPO_ROOT, 'dist/certs/main.js'),
} as const;

/** A running program under test. */
export interface RunningProgram {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** SIGTERM (or the given signal) and wait until it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** True while the process runs. */
  alive(): Promise<boolean>;
  /** The last lines of its log (stdout and stderr). */
  tail(n?: number): Promise<string>;
}

const taken = new Set<number>();

/** A free port from the sandbox's range for processes under test. */
export async function freePort(sb: Sandbox): Promise<number> {
  const { from, to } = sb.layout.freePortRange;
  for (let p = from; p <= to; p++) {
    if (taken.has(p)) continue;
    if (await portIsFree(p)) {
      taken.add(p);
      return p;
    }
  }
  throw new Error(`no free port left in ${from}-${to} for a process under test`);
}

/**
 * Starts one of our programs with `args`; `name` must be unique within the test run (it
 * names the log file `.sandbox/<dir>/logs/<name>.log`). Resolves once it runs.
 */
export async function startProgram(
  sb: Sandbox,
  name: string,
  program: keyof typeof PROGRAMS,
  args: string[],
  env: Record<string, string> = {},
  /** Extra Node.js flags, e.g. `--cpu-prof` for a benchmark. */
  nodeArgs: string[] = [],
): Promise<RunningProgram> {
  await mkdir(sb.layout.logsDir, { recursive: true });
  const logFile = path.join(sb.layout.logsDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const file = PROGRAMS[program];
  // The flags of its #! line too: run here as the image runs it (see shebang.ts).
  const flags = ['--enable-source-maps', ...programNodeFlags(file), ...nodeArgs];
  const child = spawn(process.execPath, [...flags, file, ...args], {
    detached: true,
    stdio: ['ignore', fd, fd],
    env: { ...process.env, ...env, [SANDBOX_ENV]: sb.layout.dir, [COMPONENT_ENV]: name },
  });
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('error', (err) => reject(new Error(`failed to start ${name}: ${err.message}`)));
    child.once('spawn', () => resolve(child.pid ?? -1));
  });
  child.unref();
  return {
    name,
    pid,
    logFile,
    alive: () => isAlive(pid),
    tail: (n = 30) => lastLines(logFile, n),
    stop: (signal: NodeJS.Signals = 'SIGTERM') => stopProcess(pid, 10_000, signal),
  };
}

/** Waits until `url` answers 200, or fails with the program's last log lines. */
export async function waitHttpOk(p: RunningProgram, url: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await probe(url).catch(() => undefined);
    if (r?.status === 200) return;
    if (!(await p.alive())) throw new Error(`${p.name} exited before ${url} was ready:\n${await p.tail()}`);
    if (Date.now() > deadline)
      throw new Error(`${p.name}: ${url} not ready after ${timeoutMs / 1000} s:\n${await p.tail()}`);
    await sleep(100);
  }
}
