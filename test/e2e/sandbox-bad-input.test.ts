/**
 * The sandbox's own bad-input cases: no Go to build with, a port someone else holds, and
 * a half-started earlier sandbox. Each gives a clear message and leaves no process behind.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { commandLine } from '../sandbox/commands.ts';
import { sandboxLayout } from '../sandbox/layout.ts';
import { findSandboxProcesses, startProcess } from '../sandbox/processes.ts';
import { REPO_ROOT, Sandbox } from '../sandbox/sandbox.ts';
import { runCommand, useSandbox } from '../sandbox/testing.ts';

/** A base port for throwaway sandboxes: 200 above the e2e sandbox, so they never meet. */
async function spareBasePort(): Promise<number> {
  const sb = await useSandbox();
  return sb.layout.basePort + 200;
}

describe('the sandbox given bad input', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const d = await mkdtemp(path.join(os.tmpdir(), 'mcs-sandbox-'));
    dirs.push(d);
    return d;
  };
  after(async () => {
    for (const d of dirs) {
      await Sandbox.down({ dir: d, log: () => {} }).catch(() => {});
      await rm(d, { recursive: true, force: true });
    }
  });

  it('says in one line that Go is needed when it is missing', async () => {
    const r = await runCommand(path.join(REPO_ROOT, 'test/sandbox/build.sh'), [], {
      ...process.env,
      PATH: '/usr/bin:/bin',
    });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Go is needed to build the Kubernetes binaries .*'go' is not on PATH/);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line, got:\n${r.stderr}`);
  });

  it('names the busy port and its owner, and starts nothing', async () => {
    const dir = await tempDir();
    const base = await spareBasePort();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(base, '127.0.0.1', resolve));
    try {
      await assert.rejects(Sandbox.up({ dir, basePort: base, log: () => {} }), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`port ${base} \\(for etcd\\) is in use by node \\(pid ${process.pid}\\)`),
        );
        assert.match(err.message, /MCS_SANDBOX_PORT_BASE/);
        return true;
      });
      assert.deepEqual(await findSandboxProcesses(dir), [], 'no process was left running');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('stops a half-started earlier sandbox and starts afresh', async () => {
    const dir = await tempDir();
    const base = await spareBasePort();
    const layout = sandboxLayout(dir, base);
    const sb = await useSandbox();
    // An earlier run that died after starting etcd: a process, but no state file.
    await startProcess({
      name: 'etcd',
      bin: path.join(sb.binDir, 'etcd'),
      args: commandLine(layout, { component: 'etcd' }, sb.binDir),
      sandboxDir: layout.dir,
      logFile: path.join(layout.logsDir, 'etcd.log'),
      pidFile: path.join(layout.pidsDir, 'etcd.pid'),
    });
    const lines: string[] = [];
    const fresh = await Sandbox.up({ dir, basePort: base, log: (l) => lines.push(l) });
    assert.ok(
      lines.some((l) =>
        /found a half-started sandbox, or one of another shape, in .*\(etcd\): stopping it first/.test(l),
      ),
      lines.join('\n'),
    );
    assert.ok(await fresh.healthy(), 'the new sandbox is healthy');
    // Up again on a healthy sandbox is a no-op.
    const again: string[] = [];
    await Sandbox.up({ dir, basePort: base, log: (l) => again.push(l) });
    assert.ok(
      again.some((l) => l.startsWith('already running')),
      again.join('\n'),
    );

    await Sandbox.down({ dir, log: () => {} });
    assert.deepEqual(await findSandboxProcesses(dir), [], 'down leaves no process behind');
  });
});
