import assert from 'node:assert/strict';
import { mkdtemp, rm, stat, symlink, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { connectTarget, startConnectProxy } from '../../dataplane/connect-proxy.ts';
import { kwokExecConfig, kwokKubeletArgs, podExecShim } from '../../dataplane/kubelet.ts';
import { commandLine } from '../../sandbox/commands.ts';
import { egressConfig, egressConfigFile, kubeletEgressSocket } from '../../sandbox/kubelet-egress.ts';
import { sandboxLayout } from '../../sandbox/layout.ts';
import { runCommand } from '../../sandbox/testing.ts';

/** Sends a request head through a Unix socket and returns the first answer line and the socket. */
function connect(socket: string, head: string): Promise<{ line: string; conn: net.Socket }> {
  return new Promise((resolve, reject) => {
    const conn = net.connect(socket);
    conn.once('error', reject);
    conn.write(head);
    conn.once('data', (d) => resolve({ line: d.toString().split('\r\n')[0] ?? '', conn }));
  });
}

describe("member2's kubelet API on the data plane", () => {
  const layout = sandboxLayout('/tmp/sb', 20000);
  const cleanups: (() => unknown)[] = [];
  after(async () => {
    for (const c of cleanups) await c();
  });

  it("points only member2's API server at the node network's proxy, checking the kubelet's certificate", () => {
    const member2 = commandLine(layout, { component: 'kube-apiserver', cluster: 'member2' }, '/bin');
    assert.ok(member2.includes(`--egress-selector-config-file=${egressConfigFile(layout, 'member2')}`));
    assert.ok(member2.includes('--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname'));
    assert.ok(member2.includes('--kubelet-certificate-authority=/tmp/sb/pki/ca.crt'));
    for (const cluster of ['hub', 'member1'] as const) {
      const args = commandLine(layout, { component: 'kube-apiserver', cluster }, '/bin');
      assert.ok(
        !args.some((a) => a.startsWith('--egress-selector')),
        `${cluster} reaches its egress directly`,
      );
    }
  });

  it('sends the "cluster" egress through HTTP CONNECT on the data plane\'s socket', () => {
    assert.deepEqual(JSON.parse(egressConfig(kubeletEgressSocket(layout, 'member2'))), {
      apiVersion: 'apiserver.k8s.io/v1beta1',
      kind: 'EgressSelectorConfiguration',
      egressSelections: [
        {
          name: 'cluster',
          connection: {
            proxyProtocol: 'HTTPConnect',
            transport: { uds: { udsName: '/tmp/sb/dataplane/member2-kubelet-egress.sock' } },
          },
        },
      ],
    });
  });

  it("runs the sandbox's kwok with the kubelet API at the node address, TLS and the Exec file", () => {
    const base = commandLine(layout, { component: 'kwok', cluster: 'member2' }, '/bin');
    const args = kwokKubeletArgs(base, { address: '10.20.0.1:10250', cert: 'c', key: 'k', execConfig: 'e' });
    assert.deepEqual(
      args.filter((a) => a.startsWith('--server-address')),
      ['--server-address=10.20.0.1:10250'],
    );
    assert.ok(args.includes('--tls-cert-file=c') && args.includes('--tls-private-key-file=k'));
    assert.ok(args.includes('--config=e'));
    assert.ok(
      base.every((a) => a.startsWith('--server-address') || args.includes(a)),
      'keeps every other flag',
    );
  });

  it("maps exec in the curl pod, and only it, to local commands that know the pod's namespace", () => {
    assert.deepEqual(JSON.parse(kwokExecConfig({ name: 'curl-7d9', namespace: 'default' }, 'ns-client')), {
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'Exec',
      metadata: { name: 'curl-7d9', namespace: 'default' },
      spec: { execs: [{ local: { envs: [{ name: 'MCSB_POD_NETNS', value: 'ns-client' }] } }] },
    });
  });

  it('runs a command under its own name inside the namespace, and refuses without one', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'shim-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // A stand-in for `ip` that prints what it was asked to run.
    const fakeIp = path.join(dir, 'ip');
    await writeFile(fakeIp, '#!/bin/sh\necho "$@"\n', { mode: 0o755 });
    await writeFile(path.join(dir, 'pod-exec'), podExecShim(fakeIp), { mode: 0o755 });
    await symlink('pod-exec', path.join(dir, 'curl'));
    const ran = await runCommand(path.join(dir, 'curl'), ['-s', 'http://nginx.default'], {
      ...process.env,
      MCSB_POD_NETNS: 'ns-client',
    });
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(
      ran.stdout,
      /^netns exec ns-client \/usr\/bin\/env PATH=\S+ curl -s http:\/\/nginx\.default\n$/,
    );
    const refused = await runCommand(path.join(dir, 'curl'), ['-s'], { PATH: '/usr/bin:/bin' });
    assert.equal(refused.code, 126);
    assert.match(refused.stderr, /^curl: this pod has no network namespace in the data plane/);
  });

  it('reads the address of a CONNECT request, and nothing else', () => {
    assert.deepEqual(connectTarget('CONNECT 10.20.0.1:10250 HTTP/1.1\r\nHost: 127.0.0.1\r\n'), {
      host: '10.20.0.1',
      port: 10250,
    });
    assert.deepEqual(connectTarget('CONNECT [fd00::1]:10250 HTTP/1.1\r\n'), { host: 'fd00::1', port: 10250 });
    for (const bad of [
      'GET / HTTP/1.1\r\n',
      'CONNECT 10.20.0.1 HTTP/1.1\r\n',
      'CONNECT a:99999 HTTP/1.1\r\n',
    ])
      assert.equal(connectTarget(bad), undefined, bad);
  });

  it('tunnels to an allowed address only, over a socket only its owner may use', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'egress-test-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const echo = net.createServer((c) => c.on('data', (d) => c.write(d.toString().toUpperCase())));
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    cleanups.push(() => echo.close());
    const port = (echo.address() as net.AddressInfo).port;
    const socket = path.join(dir, 'egress.sock');
    const proxy = await startConnectProxy(socket, new Set([`127.0.0.1:${port}`]), () => {});
    cleanups.push(() => proxy.close());
    assert.equal((await stat(socket)).mode & 0o777, 0o600);

    const ok = await connect(socket, `CONNECT 127.0.0.1:${port} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    assert.equal(ok.line, 'HTTP/1.1 200 Connection established');
    const echoed = new Promise<string>((r) => ok.conn.once('data', (d) => r(d.toString())));
    ok.conn.write('hello');
    assert.equal(await echoed, 'HELLO');
    ok.conn.destroy();

    const other = await connect(socket, 'CONNECT 127.0.0.1:22 HTTP/1.1\r\n\r\n');
    assert.equal(other.line, 'HTTP/1.1 403 Forbidden');
    const junk = await connect(socket, 'GET / HTTP/1.1\r\n\r\n');
    assert.equal(junk.line, 'HTTP/1.1 400 Bad Request');
  });
});
