/**
 * The syncer's requests on a real HTTPS socket: each is bounded and really aborted (its
 * connection closed), a watch asks for what the informer relies on, and a closed write gate
 * lets nothing through and aborts what is in flight.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';
import { ClusterClient } from '../../../syncer/kube/cluster-client.ts';
import { rawRequest, rawWatch } from '../../../syncer/kube/raw-api.ts';
import { WriteGate, WritesFencedError } from '../../../syncer/kube/write-gate.ts';
import { type LoopbackApi, startLoopbackApi } from '../harness/loopback-api.ts';
import { fakeTimers } from './fake-timers.ts';

describe('requests to an API server', () => {
  let api: LoopbackApi;
  let kc: KubeConfig;
  let seen: LoopbackApi['seen'];
  before(async () => {
    api = await startLoopbackApi();
    kc = api.kc;
    seen = api.seen;
  });
  after(() => api.close());

  const silent = () => {
    api.answer = () => {}; // accepts, reads, never answers
  };
  const waitClosed = (i: number) => api.closedSoon(i);
  /** Waits until the server has received `n` requests (a TLS handshake may take a while on a busy machine). */
  const received = async (n: number) => {
    for (let t = 0; t < 500 && seen.length < n; t++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(seen.length, n);
  };
  const answer = (fn: LoopbackApi['answer']) => {
    api.answer = fn;
  };

  it('gives up a request that gets no answer at its deadline, and closes its connection', async () => {
    silent();
    seen.length = 0;
    const clock = fakeTimers();
    const request = rawRequest(kc, {
      method: 'GET',
      path: '/readyz',
      answer: 'text',
      timeoutMs: 1_500,
      timers: clock.timers,
    });
    let settled = false;
    request.then(
      () => (settled = true),
      () => (settled = true),
    );
    await received(1);
    clock.advance(1_499);
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'still waiting before its deadline');
    clock.advance(1);
    await assert.rejects(request, /GET \/readyz: no answer within 1.5s/);
    assert.equal(await waitClosed(0), true, 'the connection was destroyed, not left waiting');
  });

  it("bounds a cluster's requests and lists that set no bound of their own by its --request-timeout", async () => {
    silent();
    seen.length = 0;
    const counted = { inc: () => {} };
    const client = new ClusterClient('member1', kc, counted, undefined, 1_500);
    await assert.rejects(
      client.request('get', { method: 'GET', path: '/readyz', answer: 'text' }),
      /GET \/readyz: no answer within 1.5s/,
    );
    await assert.rejects(
      client.list('/api/v1/services', (o) => o),
      /GET \/api\/v1\/services: no answer within 1.5s/,
    );
    await assert.rejects(
      client.write('update', { method: 'PUT', path: '/x', body: {} }),
      /PUT \/x: no answer within 1.5s/,
    );
  });

  it('aborts a request when its signal fires', async () => {
    silent();
    seen.length = 0;
    const controller = new AbortController();
    const request = rawRequest(kc, { method: 'PUT', path: '/x', body: {}, signal: controller.signal });
    await received(1);
    controller.abort(new Error('leadership lost'));
    await assert.rejects(request, /PUT \/x: leadership lost/);
    assert.equal(await waitClosed(0), true);
  });

  it('opens a watch from a resourceVersion with bookmarks and a server-side timeout, and passes its events on', async () => {
    answer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"type":"ADDED","object":{"metadata":{"name":"a","resourceVersion":"8"}}}\n');
      res.end('{"type":"BOOKMARK","object":{"metadata":{"resourceVersion":"9"}}}\n');
    });
    seen.length = 0;
    const events: string[] = [];
    let opened = 0;
    await rawWatch(
      kc,
      '/api/v1/services',
      { resourceVersion: '7', allowWatchBookmarks: true, timeoutSeconds: 300 },
      (e) =>
        events.push(
          `${e.type} ${(e.object as { metadata: { resourceVersion: string } }).metadata.resourceVersion}`,
        ),
      () => opened++,
      new AbortController().signal,
    );
    const query = new URL(seen[0]?.url ?? '', 'https://x').searchParams;
    assert.deepEqual(Object.fromEntries(query), {
      resourceVersion: '7',
      allowWatchBookmarks: 'true',
      timeoutSeconds: '300',
      watch: 'true',
    });
    assert.deepEqual(events, ['ADDED 8', 'BOOKMARK 9']);
    assert.equal(opened, 1);
  });

  it('rejects a watch the server refuses with its HTTP code', async () => {
    answer((_req, res) => {
      res.writeHead(410, { 'content-type': 'application/json' });
      res.end('{"kind":"Status","code":410,"reason":"Expired"}');
    });
    const refused = rawWatch(
      kc,
      '/api/v1/services',
      { resourceVersion: '1' },
      () => {},
      () => {},
      new AbortController().signal,
    );
    await assert.rejects(refused, (err: unknown) => err instanceof ApiException && err.code === 410);
  });

  it('asks the server to end each watch after 5 to 10 minutes, as client-go does', async () => {
    answer((_req, res) => {
      res.writeHead(200);
      res.end();
    });
    seen.length = 0;
    const client = new ClusterClient('c', kc, { inc: () => {} });
    for (let i = 0; i < 20; i++)
      await client.watch(
        '/api/v1/services',
        { resourceVersion: '1' },
        () => {},
        () => {},
        new AbortController().signal,
      );
    for (const s of seen) {
      const q = new URL(s.url, 'https://x').searchParams;
      const t = Number(q.get('timeoutSeconds'));
      assert.ok(t >= 300 && t < 600, `timeoutSeconds=${t}`);
      assert.equal(q.get('allowWatchBookmarks'), 'true');
    }
  });

  it('sends no write while the gate is closed, and aborts the writes in flight when it closes', async () => {
    silent();
    seen.length = 0;
    const now = () => 1_000;
    const counted: string[] = [];
    const gate = new WriteGate(now, false, fakeTimers().timers);
    const client = new ClusterClient(
      'member2',
      kc,
      { inc: (l) => counted.push(`${l.verb} ${l.code}`) },
      gate,
    );
    await assert.rejects(client.write('create', { method: 'POST', path: '/a', body: {} }), WritesFencedError);
    assert.equal(seen.length, 0, 'nothing reached the server');
    gate.allowUntil(2_000);
    const inFlight = client.write('update', { method: 'PUT', path: '/b', body: {} });
    await received(1);
    gate.close('lost leadership');
    await assert.rejects(inFlight, /lost leadership/);
    assert.equal(await waitClosed(0), true);
    await assert.rejects(client.write('delete', { method: 'DELETE', path: '/c' }), /lost leadership/);
    assert.deepEqual(counted, ['update error'], 'writes never sent are not counted as requests');
  });

  it('lets writes through only before the deadline it was opened until', async () => {
    let t = 0;
    const gate = new WriteGate(() => t, false, fakeTimers().timers);
    gate.allowUntil(10_000);
    t = 9_999;
    assert.equal(gate.open, true);
    t = 10_000;
    assert.equal(gate.open, false);
    assert.throws(
      () => gate.check('PUT /x'),
      /PUT \/x not sent: this replica does not hold a valid leader Lease/,
    );
  });
});
