/**
 * The webhook's API reads on a real socket: at its bound a read's request is aborted and its
 * connection closed, not left open behind a warning given up on.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { karmadaClusterDirectory, kubeServiceLookup } from '../../../webhook/kube-lookups.ts';
import { loopbackCertificate } from './fuzz-harness.ts';

describe('the webhook’s API reads against a server that never answers', () => {
  let server: https.Server;
  let kc: KubeConfig;
  const sockets: { closed: boolean }[] = [];

  before(async () => {
    const { pair, caCert } = await loopbackCertificate();
    server = https.createServer({ cert: pair.cert, key: pair.key }, (req) => {
      const s = { closed: false };
      sockets.push(s);
      req.socket.once('close', () => {
        s.closed = true;
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [
        {
          name: 'hub',
          server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
          caData: Buffer.from(caCert).toString('base64'),
        },
      ],
      users: [{ name: 'u', token: 'token-of-the-test' }],
      contexts: [{ name: 'hub', cluster: 'hub', user: 'u' }],
      currentContext: 'hub',
    });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const closedSoon = async (i: number) => {
    for (let t = 0; t < 100 && !sockets[i]?.closed; t++) await new Promise((r) => setTimeout(r, 10));
    return sockets[i]?.closed;
  };

  it('aborts the Service read and closes its connection when the signal fires', async () => {
    sockets.length = 0;
    const read = kubeServiceLookup(kc).serviceExists('default', 'nginx', AbortSignal.timeout(100));
    await assert.rejects(read, /failed to read Service default\/nginx/);
    assert.equal(await closedSoon(0), true);
  });

  it('aborts the cluster list and closes its connection when the signal fires', async () => {
    sockets.length = 0;
    const read = karmadaClusterDirectory(kc).clusterNames(AbortSignal.timeout(100));
    await assert.rejects(read, /failed to list clusters.cluster.karmada.io/);
    assert.equal(await closedSoon(0), true);
  });
});
