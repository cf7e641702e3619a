/**
 * A byte-for-byte stream forwarder that carries member2's apiserver into member2's node
 * namespace, where kube-proxy and CoreDNS run.
 *
 * Why: the sandbox's apiservers bind 127.0.0.1 of the root namespace, which no other
 * namespace can reach. Binding them to a routable address, or giving the root namespace a
 * veth and a route into the pod network, would widen the sandbox and put addresses and
 * routes into the machine's own namespace. A Unix socket file, however, is reachable from
 * every network namespace (it lives in the file system, not the network stack), so two
 * halves of this program meet there:
 *
 *   in the node netns:  tcp 127.0.0.1:<apiserver port>  →  unix <dir>/member2-apiserver.sock
 *   in the root netns:  unix <dir>/member2-apiserver.sock  →  tcp 127.0.0.1:<apiserver port>
 *
 * Inside the node namespace the apiserver is then at the very URL of the sandbox's own
 * kubeconfig, and TLS runs end to end (the bridge never sees a plaintext byte). The socket
 * file is root's alone (mode 0600).
 */
import { chmod, rm } from 'node:fs/promises';
import net from 'node:net';

/** Where to listen or connect: a TCP host and port, or a Unix socket path. */
export type Endpoint = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** Parses `tcp:HOST:PORT` or `unix:PATH`; throws naming the flag when it is neither. */
export function parseEndpoint(text: string, flag: string): Endpoint {
  if (text.startsWith('unix:') && text.length > 5) return { kind: 'unix', path: text.slice(5) };
  const m = /^tcp:([^:]+):(\d{1,5})$/.exec(text);
  if (m?.[1] && Number(m[2]) > 0 && Number(m[2]) < 65536)
    return { kind: 'tcp', host: m[1], port: Number(m[2]) };
  throw new Error(`${flag} must be tcp:HOST:PORT or unix:PATH, not '${text}'`);
}

/** `tcp:HOST:PORT` or `unix:PATH`, as parsed. */
export function describeEndpoint(e: Endpoint): string {
  return e.kind === 'tcp' ? `tcp:${e.host}:${e.port}` : `unix:${e.path}`;
}

/** Starts forwarding; resolves with the listening server. */
export async function startBridge(listen: Endpoint, connect: Endpoint): Promise<net.Server> {
  const server = net.createServer((client) => {
    const upstream =
      connect.kind === 'tcp' ? net.connect(connect.port, connect.host) : net.connect(connect.path);
    // Either side closing or failing ends both: a half-open pair would hang a watch.
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', close).on('close', close);
    upstream.on('error', (err) => {
      process.stderr.write(`apiserver-bridge: cannot reach ${describeEndpoint(connect)}: ${err.message}\n`);
      close();
    });
    upstream.on('close', close);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  if (listen.kind === 'unix') await rm(listen.path, { force: true }); // a stale file from a killed run
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new Error(`apiserver-bridge cannot listen on ${describeEndpoint(listen)}: ${err.message}`)),
    );
    if (listen.kind === 'tcp') server.listen(listen.port, listen.host, resolve);
    else server.listen(listen.path, resolve);
  });
  if (listen.kind === 'unix') await chmod(listen.path, 0o600);
  return server;
}
