/**
 * A request's credentials are part of its bound: the deadline starts before they are resolved,
 * and an exec credential plugin that does not end is killed.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { boundExecPlugins } from '../../../syncer/kube/exec-credentials.ts';
import { rawRequest } from '../../../syncer/kube/raw-api.ts';
import { fakeTimers } from './fake-timers.ts';

/** A kubeconfig of one cluster (nothing listens there) whose user runs `node -e script` as exec plugin. */
function execKubeConfig(script: string, args: string[] = []): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [
      {
        name: 'plugin-user',
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: process.execPath,
          args: ['-e', script, ...args],
          interactiveMode: 'Never',
        },
      },
    ],
    contexts: [{ name: 'c', cluster: 'c', user: 'plugin-user' }],
    currentContext: 'c',
  });
  return kc;
}

const settle = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
};

/** Whether process `pid` still runs. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("a request's credentials", () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('count towards its deadline: credentials that never come end the request at its deadline', async () => {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    // Resolving them hangs, as an exec plugin or a token file on a hung mount would.
    kc.applyToHTTPSOptions = () => new Promise(() => {});
    const clock = fakeTimers();
    let failure: Error | undefined;
    const failed = () => failure;
    const request = rawRequest(kc, {
      method: 'GET',
      path: '/readyz',
      timeoutMs: 1_000,
      timers: clock.timers,
    });
    request.catch((err: Error) => {
      failure = err;
    });
    await settle();
    clock.advance(999);
    await settle();
    assert.equal(failed(), undefined, 'not before its deadline');
    clock.advance(1);
    await settle();
    assert.match(
      failed()?.message ?? 'still waiting for its credentials at its deadline',
      /GET \/readyz: its credentials were not ready within 1s/,
    );
  });

  it('come from an exec plugin that ends in time as before', async () => {
    const kc = execKubeConfig(
      "process.stdout.write(JSON.stringify({apiVersion:'client.authentication.k8s.io/v1',kind:'ExecCredential',status:{token:'from-plugin'}}))",
    );
    boundExecPlugins(kc, 10_000);
    const opts: { headers?: Record<string, unknown> } = {};
    await kc.applyToHTTPSOptions(opts);
    assert.equal(opts.headers?.Authorization, 'Bearer from-plugin');
  });

  it('come from an exec plugin that is killed once it runs past its bound, and the request says so', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'exec-plugin-'));
    dirs.push(dir);
    const pidFile = path.join(dir, 'pid');
    // Writes its pid, then hangs, ignoring SIGTERM as a stuck plugin may.
    const kc = execKubeConfig(
      "require('fs').writeFileSync(process.argv[1], String(process.pid)); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)",
      [pidFile],
    );
    // Long enough for node to start and write its pid on a busy machine.
    boundExecPlugins(kc, 3_000);
    const hangGuard = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error('the plugin was not killed (hang guard)')), 20_000).unref(),
    );
    await assert.rejects(
      Promise.race([rawRequest(kc, { method: 'GET', path: '/readyz', timeoutMs: 60_000 }), hangGuard]),
      /GET \/readyz: cannot resolve the credentials of user plugin-user: exec credential plugin .* killed: it ran longer than 3000 ms/,
    );
    const pid = Number(await readFile(pidFile, 'utf8'));
    assert.equal(alive(pid), false, `the plugin (pid ${pid}) is gone`);
  });

  it('refuse to run an exec plugin unbounded when client-node no longer runs it the way that is bounded', () => {
    const kc = execKubeConfig('');
    (kc as unknown as { authenticators: unknown[] }).authenticators = [];
    assert.throws(() => boundExecPlugins(kc), /cannot bound the exec credential plugin of user plugin-user/);
  });
});
