/**
 * Starting and stopping the sandbox's background processes. Each one runs in its own
 * process group, logs to a file, and carries two environment variables that name its
 * sandbox and component: `down` finds every process of a sandbox by them, even when a
 * pid file was lost in a crash, so nothing is left orphaned.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Environment variable holding the absolute sandbox folder a process belongs to. */
export const SANDBOX_ENV = 'MCS_SANDBOX_DIR';
/** Environment variable holding the component name of a sandbox process. */
export const COMPONENT_ENV = 'MCS_SANDBOX_COMPONENT';

/** How to start one background process. */
export interface ProcessSpec {
  /** Component name, e.g. `kube-apiserver-member1`. */
  name: string;
  bin: string;
  args: string[];
  sandboxDir: string;
  logFile: string;
  pidFile: string;
  env?: Record<string, string>;
}

/** A running process found by its sandbox marker. */
export interface MarkedProcess {
  pid: number;
  component: string;
}

/** Starts a process detached from this one (it outlives `make sandbox-up`) and records its pid. */
export async function startProcess(spec: ProcessSpec): Promise<number> {
  await mkdir(path.dirname(spec.logFile), { recursive: true });
  await mkdir(path.dirname(spec.pidFile), { recursive: true });
  const fd = openSync(spec.logFile, 'a');
  try {
    const child = spawn(spec.bin, spec.args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...spec.env, [SANDBOX_ENV]: spec.sandboxDir, [COMPONENT_ENV]: spec.name },
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once('error', (err) =>
        reject(new Error(`failed to start ${spec.name} (${spec.bin}): ${err.message}`)),
      );
      child.once('spawn', () => resolve(child.pid ?? -1));
    });
    child.unref();
    await writeFile(spec.pidFile, `${pid}\n`);
    return pid;
  } finally {
    closeSync(fd);
  }
}

/** True when a process with this pid exists and is not a zombie. */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 3, after the parenthesised command name, is the state; Z is a zombie.
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Every live process whose environment marks it as part of the sandbox in `sandboxDir`. */
export async function findSandboxProcesses(sandboxDir: string): Promise<MarkedProcess[]> {
  const found: MarkedProcess[] = [];
  const wanted = `${SANDBOX_ENV}=${sandboxDir}`;
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    let environ: string;
    try {
      environ = await readFile(`/proc/${pid}/environ`, 'utf8');
    } catch {
      continue; // gone, or not ours to read
    }
    const vars = environ.split('\0');
    if (!vars.includes(wanted)) continue;
    const component = vars.find((v) => v.startsWith(`${COMPONENT_ENV}=`))?.slice(COMPONENT_ENV.length + 1);
    // Children inherit the marker; only processes we started carry a component name.
    if (component && (await isAlive(pid))) found.push({ pid, component });
  }
  return found;
}

/**
 * Stops a process group: SIGTERM, then SIGKILL after `graceMs`. Resolves once the
 * process is gone. Used for clean shutdown and for fault tests that stop one apiserver.
 */
export async function stopProcess(
  pid: number,
  graceMs = 10_000,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<void> {
  const send = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig); // the whole group: some components fork helpers
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  send(signal);
  const deadline = Date.now() + graceMs;
  while (await isAlive(pid)) {
    if (Date.now() > deadline) {
      send('SIGKILL');
      await sleep(100);
      if (Date.now() > deadline + 5_000) throw new Error(`process ${pid} survived SIGKILL for 5 s`);
    }
    await sleep(50);
  }
}

/** Reads the pid recorded for a component, or undefined. */
export async function readPid(pidFile: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Removes a pid file, ignoring a missing one. */
export async function removePidFile(pidFile: string): Promise<void> {
  await rm(pidFile, { force: true });
}

/** The last `n` lines of a log file, for error messages ("" when there is no log). */
export async function lastLines(file: string, n = 15): Promise<string> {
  try {
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    return lines.slice(-n).join('\n');
  } catch {
    return '';
  }
}

/** Resolves true when nothing listens on 127.0.0.1:`port`. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** Names the process listening on a TCP port, e.g. `kube-apiserver (pid 123)`, if `ss` can tell. */
export async function portOwner(port: number): Promise<string | undefined> {
  try {
    const { stdout } = await run('ss', ['-ltnpH', `sport = :${port}`]);
    const m = /users:\(\("([^"]+)",pid=(\d+)/.exec(stdout);
    if (!m) return undefined;
    // ss shows the thread's name (comm), which Node.js 24 sets to "MainThread": the program's
    // file names the owner better, where /proc lets us read it.
    const program = await readlink(`/proc/${m[2]}/exe`).then(path.basename, () => m[1]);
    return `${program} (pid ${m[2]})`;
  } catch {
    return undefined;
  }
}

/** Waits `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
