/**
 * Exec credential plugins (a kubeconfig user with `exec:`, e.g. `aws eks get-token`) run
 * bounded. client-node (2.0.1 as 1.x) spawns the plugin from its ExecAuth authenticator with no
 * timeout, and every request of that user awaits it: a plugin that hangs (a network call of its
 * own gone silent, a prompt) would hold each request until its own deadline and leave one more
 * process behind per request. client-node has no option for it, so the spawn function of the
 * KubeConfig's ExecAuth is wrapped to kill the plugin once it has run `timeoutMs`. The request's
 * own deadline (raw-api.ts) starts before its credentials are resolved, so the request gives up
 * in time whichever comes first.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import type { KubeConfig } from '@kubernetes/client-node';

/** Longest an exec credential plugin may run before it is killed (the request bound). */
export const EXEC_PLUGIN_TIMEOUT_MS = 30_000;

type SpawnFn = (command: string, args: readonly string[] | undefined, opts: SpawnOptions) => ChildProcess;

/** client-node's ExecAuth, as far as this needs it (the field is private in its typings). */
interface ExecAuthShape {
  isAuthProvider(user: unknown): boolean;
  execFn: SpawnFn;
}

const bounded = new WeakSet<KubeConfig>();

/**
 * Makes every exec credential plugin that `kc` runs die after `timeoutMs` (SIGKILL: a plugin
 * that hangs may ignore SIGTERM). Idempotent. Throws, naming the user, when the current user has
 * an exec plugin and client-node no longer runs it the way this wraps: an upgrade of client-node
 * must not silently bring back unbounded plugins.
 */
export function boundExecPlugins(kc: KubeConfig, timeoutMs = EXEC_PLUGIN_TIMEOUT_MS): void {
  if (bounded.has(kc)) return;
  const user = kc.getCurrentUser();
  const authenticators = (kc as unknown as { authenticators?: unknown[] }).authenticators ?? [];
  const exec = authenticators.find(
    (a): a is ExecAuthShape =>
      typeof a === 'object' && a !== null && typeof (a as Partial<ExecAuthShape>).execFn === 'function',
  );
  if (!exec) {
    if (user?.exec)
      throw new Error(
        `cannot bound the exec credential plugin of user ${user.name}: @kubernetes/client-node no longer runs it through ExecAuth.execFn (see syncer/kube/exec-credentials.ts)`,
      );
    bounded.add(kc);
    return;
  }
  exec.execFn = (command, args, opts) => {
    // Spawned by client-node's own call: the kill is node's, measured from the spawn.
    const child = spawn(command, args ?? [], { ...opts, timeout: timeoutMs, killSignal: 'SIGKILL' });
    // client-node rejects with the plugin's stderr: say there why it ended.
    child.once('exit', (_code, signal) => {
      if (signal === 'SIGKILL')
        child.stderr?.emit(
          'data',
          `exec credential plugin ${command} killed: it ran longer than ${timeoutMs} ms`,
        );
    });
    return child;
  };
  bounded.add(kc);
}
