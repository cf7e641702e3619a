/**
 * An HTTPS server on loopback standing in for an API server, with a KubeConfig that reaches it,
 * and a record of whether each request's connection was closed: what a test of a bound needs,
 * since a request that is really aborted closes its connection.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { loopbackCertificate } from '../webhook/fuzz-harness.ts';

/** A running stand-in; `answer` may be replaced between tests. */
export interface LoopbackApi {
  kc: KubeConfig;
  /** Per request, in order: what it was and whether its connection has closed. */
  seen: Array<{ method: string; url: string; closed: boolean }>;
  answer: (req: IncomingMessage, res: ServerResponse) => void;
  /** Waits up to a second for the connection of request `i` to close; resolves whether it did. */
  closedSoon(i: number): Promise<boolean>;
  close(): Promise<void>;
}

/** Starts the stand-in; until `answer` is set, it accepts requests and never answers them. */
export async function startLoopbackApi(): Promise<LoopbackApi> {
  const { pair, caCert } = await loopbackCertificate();
  const api: LoopbackApi = {
    kc: new KubeConfig(),
    seen: [],
    answer: () => {},
    closedSoon: async (i) => {
      for (let t = 0; t < 100 && !api.seen[i]?.closed; t++) await new Promise((r) => setTimeout(r, 10));
      return api.seen[i]?.closed ?? false;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
  const server = https.createServer({ cert: pair.cert, key: pair.key }, (req, res) => {
    const entry = { method: req.method ?? '', url: req.url ?? '', closed: false };
    api.seen.push(entry);
    req.socket.once('close', () => {
      entry.closed = true;
    });
    api.answer(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  api.kc.loadFromOptions({
    clusters: [
      {
        name: 'api',
        server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
        caData: Buffer.from(caCert).toString('base64'),
      },
    ],
    users: [{ name: 'u', token: 'a-token-for-the-test' }],
    contexts: [{ name: 'api', cluster: 'api', user: 'u' }],
    currentContext: 'api',
  });
  return api;
}
