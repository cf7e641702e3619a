import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { generateCertificates } from '../../../certs/generate.ts';
import { reuseConnections } from '../../../lib/kube-connections.ts';
import { rawRequest } from '../../../syncer/kube/raw-api.ts';

describe('reusing connections to an API server', () => {
  let server: https.Server;
  let connections = 0;
  let kubeconfigFor: () => KubeConfig;
  /** A client certificate and key, base64 as a kubeconfig holds them (the server asks for none). */
  let clientCert: () => Promise<{ certData: string; keyData: string }>;

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
    clientCert = async () => {
      const c = await generateCertificates({
        service: 'client',
        namespace: 'test',
        ips: [],
        keyType: 'ecdsa',
        now: new Date(),
      });
      return {
        certData: Buffer.from(c.cert).toString('base64'),
        keyData: Buffer.from(c.key).toString('base64'),
      };
    };
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

  /** The same through syncer/kube/raw-api.ts (node:https with the agent of applyToHTTPSOptions). */
  async function rawConnectionsFor(kc: KubeConfig, requests: number): Promise<number> {
    const before = connections;
    for (let i = 0; i < requests; i++) {
      const ns = await rawRequest<{ metadata: { name: string } }>(kc, {
        method: 'GET',
        path: '/api/v1/namespaces/default',
      });
      assert.equal(ns.metadata.name, 'default');
    }
    return connections - before;
  }

  // undici may open a second connection while the first is being released: two for twenty
  // requests in turn is reuse; one per request is not.
  it('makes one or two TLS connections for many requests in turn', async () => {
    const n = await connectionsFor(reuseConnections(kubeconfigFor()), 20);
    assert.ok(n >= 1 && n <= 2, `${n} connections for 20 requests`);
  });

  it('is needed: client-node alone makes a connection per request', async () => {
    assert.equal(await connectionsFor(kubeconfigFor(), 5), 5);
  });

  it('can be applied twice without stacking', async () => {
    const kc = reuseConnections(reuseConnections(kubeconfigFor()));
    const n = await connectionsFor(kc, 10);
    assert.ok(n >= 1 && n <= 2, `${n} connections for 10 requests`);
  });

  it("keeps one connection for the syncer's raw requests", async () => {
    assert.equal(await rawConnectionsFor(reuseConnections(kubeconfigFor()), 20), 1);
  });

  it('connects anew when the client certificate changed under the same cluster and user', async () => {
    const kc = reuseConnections(kubeconfigFor());
    const user = kc.getCurrentUser();
    assert.ok(user, 'the kubeconfig has a user');
    Object.assign(user, await clientCert());
    assert.equal(await rawConnectionsFor(kc, 3), 1, 'the first certificate: one connection');
    Object.assign(user, await clientCert());
    assert.equal(await rawConnectionsFor(kc, 3), 1, 'the new certificate: a connection of its own');
    assert.equal(await connectionsFor(kc, 1), 1, 'typed clients too');
  });
});
