import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ApiException, type V1ConfigMap } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Informer } from '../../../syncer/kube/informer.ts';
import { fakeListWatch, settle } from './fake-list-watch.ts';
import { fakeTimers } from './fake-timers.ts';

const obj = (name: string, rv: string, ns = 'default'): V1ConfigMap => ({
  metadata: { name, namespace: ns, resourceVersion: rv },
});

/** An informer on a fake API and fake clock, recording its events as `add a@1`. */
function informerOnFake(idleTimeoutMs = 90_000) {
  const api = fakeListWatch<V1ConfigMap>();
  const clock = fakeTimers();
  const events: string[] = [];
  const calls = { restarts: 0, recovered: 0 };
  const informer = new Informer<V1ConfigMap>({
    cluster: 'member1',
    resource: 'configmaps',
    source: api.source,
    logger: pino({ level: 'silent' }),
    onEvent: (e, o) => events.push(`${e} ${o.metadata?.name}@${o.metadata?.resourceVersion}`),
    onRestart: () => calls.restarts++,
    onRecovered: () => calls.recovered++,
    timers: clock.timers,
    backoff: { baseMs: 250, factor: 2, jitter: 0, capMs: 30_000 },
    now: clock.now,
    idleTimeoutMs,
  });
  return { api, clock, events, calls, informer };
}

const running: Informer<V1ConfigMap>[] = [];
afterEach(async () => {
  for (const i of running.splice(0)) await i.stop();
});

async function started(idleTimeoutMs?: number) {
  const t = informerOnFake(idleTimeoutMs);
  running.push(t.informer);
  t.api.answerLists({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '10' });
  await t.informer.start();
  await settle();
  t.api.lastWatch().open();
  return t;
}

describe('the informer', () => {
  it('lists once, watches from the list’s resourceVersion, and keeps the cache as the events say', async () => {
    const { api, events, informer } = await started();
    const w = api.lastWatch();
    w.send({ type: 'ADDED', object: obj('c', '11') });
    w.send({ type: 'MODIFIED', object: obj('a', '12') });
    w.send({ type: 'DELETED', object: obj('b', '13') });
    assert.deepEqual(api.requests, ['list', 'watch from 10']);
    assert.deepEqual(events, ['add a@1', 'add b@2', 'add c@11', 'update a@12', 'delete b@13']);
    assert.equal(informer.synced, true);
    assert.deepEqual(
      informer
        .list()
        .map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`)
        .sort(),
      ['a@12', 'c@11'],
    );
    assert.equal(informer.get('a', 'default')?.metadata?.resourceVersion, '12');
  });

  it('resumes a watch the server ended from the last resourceVersion seen, without a list', async () => {
    const { api } = await started();
    api.lastWatch().send({ type: 'MODIFIED', object: obj('a', '15') });
    api.lastWatch().end();
    await settle();
    assert.deepEqual(api.requests, ['list', 'watch from 10', 'watch from 15']);
  });

  it('moves its resourceVersion on a bookmark and tells nobody', async () => {
    const { api, events } = await started();
    api.lastWatch().send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '99' } } });
    api.lastWatch().end();
    await settle();
    assert.deepEqual(api.requests, ['list', 'watch from 10', 'watch from 99']);
    assert.deepEqual(events, ['add a@1', 'add b@2']);
  });

  it('retries a failed watch after its backoff from where it was, and reports the recovery once it opens', async () => {
    const { api, clock, calls } = await started();
    api.lastWatch().send({ type: 'MODIFIED', object: obj('a', '20') });
    api.lastWatch().fail(new Error('read ECONNRESET'));
    await settle();
    assert.deepEqual(api.requests, ['list', 'watch from 10'], 'nothing before the backoff');
    clock.advance(249);
    await settle();
    assert.equal(api.requests.length, 2);
    clock.advance(1);
    await settle();
    assert.deepEqual(api.requests, ['list', 'watch from 10', 'watch from 20']);
    assert.deepEqual(calls, { restarts: 1, recovered: 0 });
    api.lastWatch().open();
    assert.deepEqual(calls, { restarts: 1, recovered: 1 });
  });

  it('doubles its backoff on failures in a row', async () => {
    const { api, clock } = await started();
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      api.lastWatch().fail(new Error('connection refused'));
      await settle();
      const before = api.requests.length;
      while (api.requests.length === before) {
        clock.advance(50);
        await settle();
      }
      at.push(clock.now());
    }
    assert.deepEqual(at, [250, 750, 1750, 3750]);
  });

  it('keeps backing off a watch that opens and fails at once, instead of looping at the first delay', async () => {
    const { api, clock } = await started();
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      api.lastWatch().fail(new Error('watch error event: etcd unavailable'));
      await settle();
      const before = api.requests.length;
      while (api.requests.length === before) {
        clock.advance(50);
        await settle();
      }
      at.push(clock.now());
      api.lastWatch().open(); // the server accepts the next watch, which then fails again
    }
    assert.deepEqual(at, [250, 750, 1750, 3750]);
  });

  it('waits out a 429’s Retry-After before watching again', async () => {
    const { api, clock } = await started();
    const body = JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests' });
    api.lastWatch().fail(new ApiException(429, 'HTTP-Code: 429', body, { 'retry-after': '5' }));
    await settle();
    const before = api.requests.length;
    clock.advance(4_999);
    await settle();
    assert.equal(api.requests.length, before, 'not after 250 ms');
    clock.advance(1);
    await settle();
    assert.equal(api.requests.length, before + 1);
  });

  it('starts its backoff over once a watch stayed healthy for two minutes', async () => {
    const { api, clock } = await started();
    for (let i = 0; i < 3; i++) {
      api.lastWatch().fail(new Error('connection refused'));
      await settle();
      clock.advance(30_000);
      await settle();
    }
    api.lastWatch().open();
    clock.advance(120_000);
    api.lastWatch().send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '30' } } });
    api.lastWatch().fail(new Error('read ECONNRESET'));
    await settle();
    const before = api.requests.length;
    clock.advance(250);
    await settle();
    assert.equal(api.requests.length, before + 1, 'retried after the first delay again');
  });

  it('spreads its retries at random, up to twice the delay', async () => {
    const api = fakeListWatch<V1ConfigMap>();
    const clock = fakeTimers();
    const informer = new Informer<V1ConfigMap>({
      cluster: 'member1',
      resource: 'configmaps',
      source: api.source,
      logger: pino({ level: 'silent' }),
      onEvent: () => {},
      timers: clock.timers,
      now: clock.now,
      random: () => 0.5,
    });
    running.push(informer);
    api.answerLists(new Error('connection refused'));
    await informer.start();
    await settle();
    assert.deepEqual(
      [...clock.pending.values()].map((t) => t.at),
      [375],
      '250 ms plus half of it',
    );
  });

  it('lists again after a 410 Gone, whether the server refuses the watch or says so in an event', async () => {
    const { api } = await started();
    api.answerLists({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '30' });
    api.lastWatch().fail(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await settle();
    api.answerLists({ items: [obj('a', '1'), obj('b', '2')], resourceVersion: '40' });
    api.lastWatch().send({ type: 'ERROR', object: { code: 410, message: 'too old resource version' } });
    await settle();
    assert.deepEqual(api.requests, [
      'list',
      'watch from 10',
      'list',
      'watch from 30',
      'list',
      'watch from 40',
    ]);
  });

  it('tells only what a relist changed: an update, a delete, nothing for what stayed', async () => {
    const { api, events } = await started();
    events.length = 0;
    api.answerLists({ items: [obj('a', '31'), obj('d', '32')], resourceVersion: '33' });
    api.lastWatch().fail(Object.assign(new Error('Gone'), { statusCode: 410 }));
    await settle();
    assert.deepEqual(events.sort(), ['add d@32', 'delete b@2', 'update a@31']);
  });

  it('restarts a watch that brings neither an event nor a bookmark for the idle timeout, from its resourceVersion', async () => {
    const { api, clock, calls } = await started(60_000);
    clock.advance(59_000);
    api.lastWatch().send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '50' } } });
    clock.advance(59_000);
    await settle();
    assert.deepEqual(api.requests, ['list', 'watch from 10'], 'a bookmark keeps the watch');
    clock.advance(1_000);
    await settle();
    assert.equal(api.lastWatch().signal.aborted, true, 'the silent watch was aborted');
    assert.equal(calls.restarts, 1, 'and counted as a failure');
    clock.advance(250);
    await settle();
    assert.deepEqual(api.requests, ['list', 'watch from 10', 'watch from 50']);
  });

  it('restarts a watch whose answer never comes (a silent connection) after the idle timeout', async () => {
    const { api, clock } = await started(60_000);
    api.lastWatch().end();
    await settle();
    // The second watch is never accepted: no headers, no bytes.
    clock.advance(60_000);
    await settle();
    clock.advance(250);
    await settle();
    assert.deepEqual(api.requests, ['list', 'watch from 10', 'watch from 10', 'watch from 10']);
  });

  it('drops its watch and starts a new one at once when restarted', async () => {
    const { api, informer } = await started();
    api.lastWatch().send({ type: 'MODIFIED', object: obj('a', '60') });
    const first = api.lastWatch();
    await informer.restart();
    await settle();
    assert.equal(first.signal.aborted, true);
    assert.deepEqual(api.requests, ['list', 'watch from 10', 'watch from 60']);
  });

  it('resolves start after a first list that failed, stays unsynced, and lists again after the backoff', async () => {
    const t = informerOnFake();
    running.push(t.informer);
    t.api.answerLists(new Error('connection refused'), { items: [obj('a', '1')], resourceVersion: '5' });
    await t.informer.start();
    assert.equal(t.informer.synced, false);
    t.clock.advance(250);
    await settle();
    assert.equal(t.informer.synced, true);
    assert.deepEqual(t.api.requests, ['list', 'list', 'watch from 5']);
  });

  it('makes no request once stopped', async () => {
    const { api, clock, informer } = await started();
    api.lastWatch().fail(new Error('connection refused'));
    await informer.stop();
    clock.advance(60_000);
    await settle();
    assert.deepEqual(api.requests, ['list', 'watch from 10']);
  });
});
