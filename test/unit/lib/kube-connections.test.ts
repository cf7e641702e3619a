import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { generateCertificates } from '../../../certs/generate.ts';
import { reuseConnections } from '../../../lib/kube-connections.ts';

describe('reusing connections to an API server', () => {
  let server: https.Server;
  let connections = 0;
  let kubeconfigFor: () => KubeConfig;

  before(async () => {
    const certs = await generateCertificates({
      service: 'api',
      namespace: 'test',
      ips: ['127.0.0.1'],
      keyType: 'ecdsa',
      now: new Date(),
    });
    server = https.createServer({ cert: certs.cert, key: certs.key }, (_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }));
    });
    server.on('secureConnection', () => {
      connections++;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    kubeconfigFor = () => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [
          {
            name: 'c',
            server: `https://127.0.0.1:${port}`,
            caData: Buffer.from(certs.caCert).toString('base64'),
          },
        ],
        users: [{ name: 'u', token: 't' }],
        contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
        currentContext: 'x',
      });
      return kc;
    };
  });
  after(() => new Promise((resolve) => server.close(resolve)));

  async function connectionsFor(kc: KubeConfig, requests: number): Promise<number> {
    const before = connections;
    const core = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < requests; i++)
      assert.equal((await core.readNamespace({ name: 'default' })).metadata?.name, 'default');
    return connections - before;
  }

  it('makes one TLS connection for many requests in turn', async () => {
    assert.equal(await connectionsFor(reuseConnections(kubeconfigFor()), 20), 1);
  });

  it('is needed: client-node alone makes a connection per request', async () => {
    assert.equal(await connectionsFor(kubeconfigFor(), 5), 5);
  });

  it('can be applied twice without stacking', async () => {
    const kc = reuseConnections(reuseConnections(kubeconfigFor()));
    assert.equal(await connectionsFor(kc, 5), 1);
  });
});
