/**
 * A TCP proxy on loopback in front of an API server, for fault tests: it passes bytes
 * through (TLS stays end to end; the apiserver's certificate names 127.0.0.1, which the
 * proxy shares), and on demand delays them, refuses new connections, cuts the ones open —
 * what a slow network or a load balancer restart does — or goes silent: a partition, where
 * packets are dropped and nothing is reset. Silent, it accepts connections and keeps every
 * one open, but forwards nothing either way and closes nothing, however either end behaves;
 * what was sent meanwhile is delivered, in order, when it passes again (as TCP retransmits
 * once a partition heals), and so is a close that happened meanwhile.
 */
import net from 'node:net';

/** What the proxy does with traffic. */
export type ProxyMode =
  | { kind: 'pass' }
  | { kind: 'delay'; ms: number }
  | { kind: 'refuse' }
  | { kind: 'silent' };

/** A running proxy. */
export interface TcpProxy {
  readonly port: number;
  /** Connections currently open through it. */
  readonly open: number;
  /** Bytes each way since the proxy started (held bytes count once delivered). */
  readonly forwarded: { toServer: number; toClient: number };
  setMode(mode: ProxyMode): void;
  /** Destroys every open connection (clients see their streams cut mid-way). */
  cutAll(): void;
  close(): Promise<void>;
}

/** Something that happened on one side, for the other: bytes, an end (FIN) or an abort (RST). */
type Item = Buffer | 'end' | 'destroy';

/** One direction of one connection. */
interface Direction {
  to: net.Socket;
  held: Item[];
  count: (n: number) => void;
}

/** Starts a proxy on 127.0.0.1:`port` (0 = any) forwarding to 127.0.0.1:`target`. */
export async function startTcpProxy(target: number, port = 0): Promise<TcpProxy> {
  let mode: ProxyMode = { kind: 'pass' };
  const sockets = new Set<net.Socket>();
  const directions = new Set<Direction>();
  const forwarded = { toServer: 0, toClient: 0 };

  const apply = (d: Direction, item: Item) => {
    if (d.to.destroyed) return;
    if (item === 'end') d.to.end();
    else if (item === 'destroy') d.to.destroy();
    else {
      d.count(item.length);
      d.to.write(item);
    }
  };
  const send = (d: Direction, item: Item) => {
    if (mode.kind === 'silent') d.held.push(item);
    else if (mode.kind === 'delay' && item instanceof Buffer) setTimeout(() => apply(d, item), mode.ms);
    else apply(d, item);
  };
  // Data is forwarded by hand (not pipe()) so every chunk can be delayed or held.
  const relay = (from: net.Socket, d: Direction) => {
    directions.add(d);
    from.on('data', (chunk: Buffer) => send(d, chunk));
    from.on('end', () => send(d, 'end'));
    from.on('error', () => send(d, 'destroy'));
    from.on('close', () => {
      sockets.delete(from);
      // A silent proxy keeps what it holds until it passes again.
      if (d.held.length === 0) directions.delete(d);
    });
  };

  // Half-open sockets: a FIN from one side is an item to forward (or hold), not a close of both.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    if (mode.kind === 'refuse') {
      client.destroy();
      return;
    }
    const upstream = net.connect({ port: target, host: '127.0.0.1', allowHalfOpen: true });
    for (const s of [client, upstream]) sockets.add(s);
    const toServer = (n: number) => {
      forwarded.toServer += n;
    };
    const toClient = (n: number) => {
      forwarded.toClient += n;
    };
    relay(client, { to: upstream, held: [], count: toServer });
    relay(upstream, { to: client, held: [], count: toClient });
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
    forwarded,
    setMode: (m) => {
      mode = m;
      if (m.kind === 'silent') return;
      for (const d of directions) {
        for (const item of d.held.splice(0)) send(d, item);
        if (d.to.destroyed) directions.delete(d);
      }
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
