import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTcpProxy, type TcpProxy } from '../../sandbox/tcp-proxy.ts';

/** A connection that records what it received and whether it was closed. */
function connect(port: number) {
  const socket = net.connect(port, '127.0.0.1');
  const got = { data: '', ended: false, closed: false };
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => {
    got.data += d;
  });
  socket.on('end', () => {
    got.ended = true;
  });
  socket.on('close', () => {
    got.closed = true;
  });
  socket.on('error', () => {});
  return { socket, got, ready: new Promise<void>((r) => socket.once('connect', () => r())) };
}

const pause = (ms = 100) => new Promise((r) => setTimeout(r, ms));

describe('the fault proxy', () => {
  let upstream: net.Server;
  let proxy: TcpProxy;
  /** The server side of every connection, in order. */
  const accepted: ReturnType<typeof connect>['got'][] = [];
  const serverSockets: net.Socket[] = [];

  before(async () => {
    upstream = net.createServer((s) => {
      const got = { data: '', ended: false, closed: false };
      accepted.push(got);
      serverSockets.push(s);
      s.setEncoding('utf8');
      s.on('data', (d: string) => {
        got.data += d;
      });
      s.on('end', () => {
        got.ended = true;
      });
      s.on('error', () => {});
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    proxy = await startTcpProxy((upstream.address() as net.AddressInfo).port);
  });
  after(async () => {
    await proxy.close();
    for (const s of serverSockets) s.destroy();
    await new Promise((r) => upstream.close(r));
  });

  it('passes bytes both ways', async () => {
    const c = connect(proxy.port);
    await c.ready;
    c.socket.write('ping');
    await pause();
    serverSockets.at(-1)?.write('pong');
    await pause();
    assert.equal(accepted.at(-1)?.data, 'ping');
    assert.equal(c.got.data, 'pong');
    c.socket.destroy();
  });

  it('goes silent: accepts and keeps connections, forwards nothing, closes nothing; delivers it all in order when it passes again', async () => {
    const open = connect(proxy.port);
    await open.ready;
    await pause();
    const server = serverSockets.at(-1);
    const serverSide = accepted.at(-1);
    proxy.setMode({ kind: 'silent' });
    open.socket.write('request');
    server?.write('answer');
    server?.end();
    const late = connect(proxy.port);
    await late.ready;
    late.socket.write('new');
    await pause(300);
    assert.equal(serverSide?.data, '', 'nothing reached the server');
    assert.equal(open.got.data, '', 'nothing reached the client');
    assert.equal(open.got.ended || open.got.closed, false, "the server's close did not reach the client");
    assert.equal(late.got.closed, false, 'a new connection is accepted and kept');
    assert.equal(accepted.at(-1)?.data, '', "the new connection's bytes were held too");
    proxy.setMode({ kind: 'pass' });
    await pause(300);
    assert.equal(serverSide?.data, 'request');
    assert.equal(open.got.data, 'answer');
    assert.equal(open.got.ended, true, 'the close held meanwhile arrives after the data');
    assert.equal(accepted.at(-1)?.data, 'new');
    late.socket.destroy();
  });
});
