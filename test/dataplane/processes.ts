/**
 * The data plane's processes: started like the sandbox's own (detached, logging to
 * `<sandbox>/logs/<name>.log`, carrying the sandbox's marker so `sandbox down` stops them
 * even after a crash), optionally inside a network namespace through `ip netns exec`, which
 * execs in place: the pid recorded is the program's own.
 */
import path from 'node:path';
import { findSandboxProcesses, type MarkedProcess, startProcess, stopProcess } from '../sandbox/processes.ts';
import { REPO_ROOT, type Sandbox } from '../sandbox/sandbox.ts';

/** Every data-plane process's component name starts with this. */
export const COMPONENT_PREFIX = 'dataplane-';

/**
 * tsx's loader as an absolute URL: `--import tsx` would be resolved from the working
 * directory, which is not always the repository (make -C, a test runner elsewhere).
 */
const TSX_LOADER = import.meta.resolve('tsx');

/** Our own TypeScript programs under test/dataplane/programs/. */
export type DataPlaneProgram =
  | 'apiserver-bridge'
  | 'dns-query'
  | 'kubelet-egress-proxy'
  | 'pod-agent'
  | 'pod-server';

/** The argv that runs one of our programs with this Node.js and tsx. */
export function programArgv(program: DataPlaneProgram, args: string[]): string[] {
  return [
    process.execPath,
    '--enable-source-maps',
    '--import',
    TSX_LOADER,
    path.join(REPO_ROOT, 'test/dataplane/programs', `${program}.ts`),
    ...args,
  ];
}

/** Starts `argv` as the data-plane process `name` (prefixed), inside `netns` when given. */
export async function startDataPlaneProcess(
  sb: Sandbox,
  name: string,
  argv: string[],
  netns?: string,
): Promise<{ pid: number; logFile: string }> {
  const component = `${COMPONENT_PREFIX}${name}`;
  const [bin, ...args] = netns ? ['ip', 'netns', 'exec', netns, ...argv] : argv;
  if (!bin) throw new Error(`data-plane process ${name} has an empty command line`);
  const logFile = path.join(sb.layout.logsDir, `${component}.log`);
  const pid = await startProcess({
    name: component,
    bin,
    args,
    sandboxDir: sb.layout.dir,
    logFile,
    pidFile: path.join(sb.layout.pidsDir, `${component}.pid`),
  });
  return { pid, logFile };
}

/** The data-plane processes of the sandbox in `dir` that are still alive. */
export async function dataPlaneProcesses(dir: string): Promise<MarkedProcess[]> {
  return (await findSandboxProcesses(dir)).filter((p) => p.component.startsWith(COMPONENT_PREFIX));
}

/** Stops every data-plane process of the sandbox in `dir` (SIGTERM, SIGKILL after 5 s). */
export async function stopDataPlaneProcesses(dir: string, log: (line: string) => void): Promise<void> {
  for (const p of await dataPlaneProcesses(dir)) {
    log(`stopping ${p.component} (pid ${p.pid})`);
    await stopProcess(p.pid, 5_000);
  }
}
