/**
 * kubectl mcs's reads on a real HTTPS socket, through the syncer's client: bounded as the
 * syncer's requests are, and every failure one message naming the cluster, its server and the
 * request (what the plugin prints on its one line of stderr).
 */
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { getJson, getRaw, listAll, RequestError, type Target } from '../../../kubectl-mcs/api.ts';
import { type LoopbackApi, startLoopbackApi } from '../harness/loopback-api.ts';
import { fakeTimers } from '../syncer-engine/fake-timers.ts';

describe('kubectl mcs: reading a cluster', () => {
  let api: LoopbackApi;
  let server: string;
  const target = (o: Partial<Target> = {}): Target => ({
    cluster: 'member2',
    kubeConfig: api.kc,
    timeoutMs: 2_000,
    ...o,
  });
  before(async () => {
    api = await startLoopbackApi();
    server = api.kc.getCurrentCluster()?.server ?? '';
  });
  after(() => api.close());

  /** Answers every request with a Status of this code and message, as an API server does. */
  const status =
    (code: number, message: string): LoopbackApi['answer'] =>
    (_req, res) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', code, message }));
    };

  it('gives up on a cluster that never answers at --request-timeout, saying so in the flag’s words', async () => {
    api.answer = () => {};
    api.seen.length = 0;
    const clock = fakeTimers();
    const read = getRaw(target({ timers: clock.timers }), '/readyz');
    for (let t = 0; t < 500 && api.seen.length < 1; t++) await new Promise((r) => setTimeout(r, 10));
    clock.advance(2_000);
    await assert.rejects(read, {
      message: `member cluster member2 (${server}): GET /readyz: no answer within 2s`,
    });
    assert.equal(await api.closedSoon(0), true, 'the connection was destroyed, not left waiting');
  });

  it('names the cluster, the server and the request when the connection is refused', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, skipTLSVerify: true }],
      users: [{ name: 'u', token: 't' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    await assert.rejects(getRaw(target({ kubeConfig: kc }), '/readyz'), (err: unknown) => {
      assert.ok(err instanceof RequestError);
      assert.equal(err.code, undefined, 'no HTTP answer came');
      assert.match(
        err.message,
        new RegExp(
          `^member cluster member2 \\(https://127\\.0\\.0\\.1:${port}\\): GET /readyz: .*ECONNREFUSED`,
        ),
      );
      return true;
    });
  });

  it('resolves /readyz with its status whatever it is, for the caller to judge', async () => {
    api.answer = (_req, res) => {
      res.writeHead(500);
      res.end('[-]etcd failed\n');
    };
    assert.deepEqual(await getRaw(target(), '/readyz'), { status: 500, text: '[-]etcd failed\n' });
  });

  it('rejects an HTTP error with the API server’s own message and keeps its status', async () => {
    api.answer = status(403, 'services "nginx" is forbidden: User "u" cannot get resource "services"');
    await assert.rejects(getJson(target(), '/api/v1/namespaces/default/services/nginx'), (err: unknown) => {
      assert.ok(err instanceof RequestError);
      assert.equal(err.code, 403);
      assert.equal(
        err.message,
        `member cluster member2 (${server}): GET /api/v1/namespaces/default/services/nginx: services "nginx" is forbidden: User "u" cannot get resource "services" (HTTP 403)`,
      );
      return true;
    });
  });

  it('reads a missing object as undefined only when told it may be missing', async () => {
    api.answer = status(404, 'services "nginx" not found');
    assert.equal(
      await getJson(target(), '/api/v1/namespaces/default/services/nginx', { missingOk: true }),
      undefined,
    );
    await assert.rejects(getJson(target({ cluster: 'hub' }), '/api/v1/namespaces/default/services/nginx'), {
      message: `the hub (${server}): GET /api/v1/namespaces/default/services/nginx: services "nginx" not found (HTTP 404)`,
    });
    assert.equal(await listAll(target(), '/apis/x/v1/things', { missingOk: true }), undefined);
  });

  it('lists page by page, keeping what the caller keeps of each item', async () => {
    api.seen.length = 0;
    api.answer = (req, res) => {
      const page = new URL(req.url ?? '', 'https://x').searchParams.get('continue') ? 2 : 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          metadata: page === 1 ? { continue: 'next' } : {},
          items: [{ metadata: { name: `n${page}`, uid: 'u' }, spec: { podCIDR: `10.0.${page}.0/24` } }],
        }),
      );
    };
    const kept = await listAll<{ metadata?: { name?: string; uid?: string } }>(target(), '/api/v1/nodes', {
      labelSelector: 'a=b',
      keep: (n) => ({ metadata: { name: n.metadata?.name } }),
    });
    assert.deepEqual(kept, [{ metadata: { name: 'n1' } }, { metadata: { name: 'n2' } }]);
    const queries = api.seen.map((s) => Object.fromEntries(new URL(s.url, 'https://x').searchParams));
    assert.deepEqual(queries, [
      { labelSelector: 'a=b', limit: '500' },
      { labelSelector: 'a=b', limit: '500', continue: 'next' },
    ]);
  });
});
