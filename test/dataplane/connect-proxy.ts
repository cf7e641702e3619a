/**
 * An HTTP CONNECT proxy on a Unix socket, for the API server's "cluster" egress
 * (test/sandbox/kubelet-egress.ts): it runs inside a node's network namespace and opens the
 * tunnels the API server asks for — only to the addresses it is told to allow (the node's
 * kubelet), so the socket grants nothing else of the node network.
 */
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';

/** The longest CONNECT request head accepted. */
const MAX_HEAD = 8192;

/** The `host:port` of a CONNECT request head, or undefined when it is not one. */
export function connectTarget(head: string): { host: string; port: number } | undefined {
  const m = /^CONNECT (\[[0-9a-fA-F:.]+\]|[^\s:]+):(\d{1,5}) HTTP\/1\.[01]\r\n/.exec(head);
  if (!m?.[1] || !m[2]) return undefined;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return undefined;
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

/** Starts the proxy on `socketPath` (mode 0600), tunnelling only to `allowed` (`host:port`). */
export async function startConnectProxy(
  socketPath: string,
  allowed: ReadonlySet<string>,
  log: (line: string) => void,
): Promise<net.Server> {
  const server = net.createServer((client) => {
    let head = Buffer.alloc(0);
    const refuse = (status: string) => {
      client.end(`HTTP/1.1 ${status}\r\n\r\n`);
    };
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > MAX_HEAD) refuse('431 Request Header Fields Too Large');
        return;
      }
      client.off('data', onData);
      const target = connectTarget(head.subarray(0, end + 2).toString('latin1'));
      const rest = head.subarray(end + 4);
      if (!target) return refuse('400 Bad Request');
      const key = `${target.host}:${target.port}`;
      if (!allowed.has(key)) {
        log(`refused a tunnel to ${key}: not an allowed address`);
        return refuse('403 Forbidden');
      }
      const upstream = net.connect(target.port, target.host);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.once('connect', () => {
        client.write('HTTP/1.1 200 Connection established\r\n\r\n');
        if (rest.length > 0) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
      });
      upstream.on('error', (err) => {
        if (upstream.connecting) refuse(`502 Bad Gateway`);
        log(`tunnel to ${key}: ${err.message}`);
        close();
      });
      upstream.on('close', close);
      client.on('close', close);
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  await rm(socketPath, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new Error(`cannot listen on unix:${socketPath}: ${err.message}`)));
    server.listen(socketPath, resolve);
  });
  await chmod(socketPath, 0o600);
  return server;
}
