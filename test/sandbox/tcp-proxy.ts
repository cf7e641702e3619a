/**
 * A TCP proxy on loopback in front of an API server, for fault tests: it passes bytes
 * through (TLS stays end to end; the apiserver's certificate names 127.0.0.1, which the
 * proxy shares), and on demand delays them, refuses new connections, cuts the ones open, or
 * takes new connections and never answers — what a slow network, a load balancer restart or a
 * silent partition do to clients.
 */
import net from 'node:net';

/** What the proxy does with traffic. */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'refuse' }
  // Accepts the connection, reads what comes, answers nothing and never closes it.
  | { kind: 'silent' };

/** A running proxy. */
export interface TcpProxy {
  readonly port: number;
  /** Connections currently open through it. */
  readonly open: number;
  setMode(mode: ProxyMode): void;
  /** Destroys every open connection (clients see their streams cut mid-way). */
  cutAll(): void;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1:`port` (0 = any) forwarding to 127.0.0.1:`target`. */
export async function startTcpProxy(target: number, port = 0): Promise<TcpProxy> {
  let mode: ProxyMode = { kind: 'pass' };
  const sockets = new Set<net.Socket>();
  const delayed = (from: net.Socket, to: net.Socket) => {
    from.on('data', (chunk: Buffer) => {
      const send = () => {
        if (!to.destroyed) to.write(chunk);
      };
      if (mode.kind === 'delay') setTimeout(send, mode.ms);
      else send();
    });
    from.on('end', () => to.end());
  };
  const server = net.createServer((client) => {
    if (mode.kind === 'refuse') {
      client.destroy();
      return;
    }
    if (mode.kind === 'silent') {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => client.destroy());
      client.resume(); // read and drop: the client's TLS hello gets no answer
      return;
    }
    const upstream = net.connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    // Data is forwarded by hand (not pipe()) so every chunk can be delayed.
    delayed(client, upstream);
    delayed(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    port: bound,
    get open() {
      return sockets.size;
    },
    setMode: (m) => {
      mode = m;
    },
    cutAll: () => {
      for (const s of sockets) s.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
