import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { parseEndpoint, startBridge } from '../../dataplane/bridge.ts';

describe('the apiserver bridge', () => {
  const servers: net.Server[] = [];
  let dir = '';
  after(async () => {
    for (const s of servers) s.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reads tcp:HOST:PORT and unix:PATH, and names the flag when it is neither', () => {
    assert.deepEqual(parseEndpoint('tcp:127.0.0.1:6443', '--listen'), {
      kind: 'tcp',
      host: '127.0.0.1',
      port: 6443,
    });
    assert.deepEqual(parseEndpoint('unix:/run/a.sock', '--connect'), { kind: 'unix', path: '/run/a.sock' });
    assert.throws(
      () => parseEndpoint('127.0.0.1:6443', '--listen'),
      /--listen must be tcp:HOST:PORT or unix:PATH/,
    );
    assert.throws(() => parseEndpoint('tcp:127.0.0.1:70000', '--connect'), /--connect must be/);
  });

  it('carries bytes both ways from TCP through a Unix socket to TCP, the socket readable by its owner only', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'bridge-test-'));
    const socket = path.join(dir, 'b.sock');
    // The "apiserver": echoes in upper case.
    const upstream = net.createServer((c) => c.on('data', (d) => c.write(d.toString().toUpperCase())));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    servers.push(upstream);
    const upstreamPort = (upstream.address() as net.AddressInfo).port;
    servers.push(
      await startBridge(
        { kind: 'unix', path: socket },
        { kind: 'tcp', host: '127.0.0.1', port: upstreamPort },
      ),
    );
    const front = await startBridge(
      { kind: 'tcp', host: '127.0.0.1', port: 0 },
      { kind: 'unix', path: socket },
    );
    servers.push(front);
    assert.equal((await stat(socket)).mode & 0o777, 0o600);

    const answer = await new Promise<string>((resolve, reject) => {
      const c = net.connect((front.address() as net.AddressInfo).port, '127.0.0.1', () => c.write('hello'));
      c.on('data', (d) => {
        resolve(d.toString());
        c.destroy();
      });
      c.on('error', reject);
    });
    assert.equal(answer, 'HELLO');
  });
});
