import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkQueue } from '../../../syncer/engine/queue.ts';
import { fakeTimers } from './fake-timers.ts';

describe('the work queue', () => {
  it('holds a key once however often it is added', async () => {
    const q = new WorkQueue(fakeTimers().timers);
    q.add('a');
    q.add('a');
    q.add('b');
    assert.equal(q.length, 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
  });

  it('runs a key again when it was added while being processed', async () => {
    const q = new WorkQueue(fakeTimers().timers);
    q.add('a');
    const key = await q.get();
    q.add('a');
    assert.equal(q.length, 0, 'not handed out twice at once');
    q.done(key ?? '');
    assert.equal(q.length, 1);
    assert.equal(await q.get(), 'a');
  });

  it('hands a key straight to a waiting worker', async () => {
    const q = new WorkQueue(fakeTimers().timers);
    const got = q.get();
    q.add('x');
    assert.equal(await got, 'x');
  });

  it('backs off a failing key exponentially up to the maximum', () => {
    const { timers } = fakeTimers();
    const q = new WorkQueue(timers, { baseMs: 10, maxMs: 50 });
    const delays = [1, 2, 3, 4, 5].map(() => {
      const d = q.addRateLimited('k');
      q.add('k'); // fire the pending add now so the next failure schedules afresh
      void q.get().then((k) => q.done(k ?? ''));
      return d;
    });
    assert.deepEqual(delays, [10, 20, 40, 50, 50]);
    q.forget('k');
    assert.equal(q.retries('k'), 0);
  });

  it('adds a delayed key when its time comes, and only once', () => {
    const { timers, advance } = fakeTimers();
    const q = new WorkQueue(timers);
    q.addAfter('k', 100);
    q.addAfter('k', 10);
    advance(50);
    assert.equal(q.length, 0, 'the earlier pending add wins');
    advance(50);
    assert.equal(q.length, 1);
  });

  it('lets an immediate add replace a pending delayed one', () => {
    const { timers, advance, pending } = fakeTimers();
    const q = new WorkQueue(timers);
    q.addAfter('k', 100);
    q.add('k');
    assert.equal(pending.size, 0);
    advance(200);
    assert.equal(q.length, 1);
  });

  it('restarts the backoff only of the keys that failed against the cluster that recovered', () => {
    const clock = fakeTimers();
    const q = new WorkQueue(
      clock.timers,
      { baseMs: 1_000, maxMs: 60_000 },
      { qps: 10, burst: 100 },
      clock.now,
    );
    for (const k of ['a', 'b']) {
      q.addRateLimited(k, { origins: [k === 'a' ? 'hub' : 'member1'] });
      q.addRateLimited(k, { origins: [k === 'a' ? 'hub' : 'member1'] });
    }
    assert.deepEqual(q.recovered('hub'), ['a']);
    assert.equal(q.retries('a'), 0, "a's backoff starts over");
    assert.equal(q.retries('b'), 2, "b's backoff is kept");
    clock.advance(0);
    assert.equal(q.length, 1, 'a runs at once');
    clock.advance(999);
    assert.equal(q.length, 1, 'b still waits out its backoff');
  });

  it('spaces the retries of a recovery by the retry bucket, not all at once', () => {
    const clock = fakeTimers();
    const q = new WorkQueue(clock.timers, { baseMs: 1_000, maxMs: 60_000 }, { qps: 10, burst: 2 }, clock.now);
    for (const k of ['a', 'b', 'c', 'd']) q.addRateLimited(k, { origins: ['hub'] });
    clock.advance(500); // the bucket is full again; the four still wait out their backoff
    q.recovered('hub');
    clock.advance(0);
    assert.equal(q.length, 2, 'the burst at once');
    clock.advance(100);
    assert.equal(q.length, 3, 'then one per token');
  });

  it('waits at least a Retry-After, but never past the backoff cap', () => {
    const q = new WorkQueue(fakeTimers().timers, { baseMs: 50, maxMs: 10_000 });
    assert.equal(q.addRateLimited('a', { retryAfterMs: 3_000 }), 3_000);
    assert.equal(q.addRateLimited('b', { retryAfterMs: 120_000 }), 10_000);
    assert.equal(q.addRateLimited('c', { retryAfterMs: 1 }), 50);
  });

  it('keeps a resync from cutting short a rate-limited retry', () => {
    const clock = fakeTimers();
    const q = new WorkQueue(clock.timers, { baseMs: 1_000, maxMs: 60_000 });
    q.addRateLimited('a');
    q.addUnlessRetrying('a');
    q.addUnlessRetrying('b');
    assert.equal(q.length, 1, 'b only');
    clock.advance(1_000);
    assert.equal(q.length, 2);
  });

  it('releases waiting workers on shut-down and accepts no more keys', async () => {
    const q = new WorkQueue(fakeTimers().timers);
    const waiting = q.get();
    q.shutDown();
    assert.equal(await waiting, undefined);
    q.add('late');
    assert.equal(await q.get(), undefined);
  });
});

describe('the overall cap on retries', () => {
  it('lets a burst of retries through at their own backoff, then spaces the rest by the bucket’s rate', () => {
    const clock = fakeTimers();
    const q = new WorkQueue(clock.timers, { baseMs: 5, maxMs: 1_000 }, { qps: 10, burst: 3 }, clock.now);
    const delays = ['a', 'b', 'c', 'd', 'e'].map((k) => q.addRateLimited(k));
    assert.deepEqual(delays, [5, 5, 5, 100, 200]);
  });

  it('refills the bucket as time passes', () => {
    const clock = fakeTimers();
    const q = new WorkQueue(clock.timers, { baseMs: 5, maxMs: 1_000 }, { qps: 10, burst: 1 }, clock.now);
    assert.equal(q.addRateLimited('a'), 5);
    assert.equal(q.addRateLimited('b'), 100);
    clock.advance(1_000);
    assert.equal(q.addRateLimited('c'), 5, 'the bucket is full again after a second');
  });
});
