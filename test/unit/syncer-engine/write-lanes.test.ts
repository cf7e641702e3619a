import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteLanes } from '../../../syncer/engine/write-lanes.ts';
import { fakeTimers } from './fake-timers.ts';

/** The shared fake timers, with an `advance` that also lets settled promises run. */
function fakeClock() {
  const t = fakeTimers();
  return {
    timers: t.timers,
    now: t.now,
    advance: async (ms: number) => {
      t.advance(ms);
      await flush();
    },
  };
}

/** Lets settled promises run their callbacks. */
const flush = () => new Promise((r) => setImmediate(r));

/** A chain of writes the test ends by hand. */
function chain<R>() {
  let finish: (r: R) => void = () => {};
  const promise = new Promise<R>((resolve) => {
    finish = resolve;
  });
  return { run: () => promise, finish };
}

function lanes(waitMs = 1_000, maxPerCluster = 4) {
  const clock = fakeClock();
  const settled: string[] = [];
  const changes: string[] = [];
  const l = new WriteLanes({
    waitMs,
    maxPerCluster,
    now: clock.now,
    timers: clock.timers,
    onSettled: (key) => settled.push(key),
    onSlowChange: (cluster, slow) => changes.push(`${cluster} ${slow ? 'slow' : 'fast'}`),
  });
  return { l, clock, settled, changes };
}

describe('write lanes', () => {
  it('hands back the results of a chain that ends within the wait, and requeues nothing', async () => {
    const { l, clock, settled, changes } = lanes();
    const c = chain<string>();
    const outcome = l.run('member3', 'ns/a', c.run);
    await clock.advance(200);
    c.finish('written');
    assert.deepEqual(await outcome, { done: true, results: 'written' });
    assert.deepEqual(settled, []);
    assert.deepEqual(changes, []);
    assert.deepEqual(l.slowClusters(), []);
  });

  it('stops waiting after the wait, marks the cluster slow when the chain ends, and requeues its key', async () => {
    const { l, clock, settled, changes } = lanes();
    const c = chain<string>();
    const outcome = l.run('member3', 'ns/a', c.run);
    await clock.advance(1_000);
    assert.deepEqual(await outcome, { done: false });
    assert.deepEqual(settled, [], 'nothing to requeue while the chain runs');
    await clock.advance(3_000);
    c.finish('written');
    await flush();
    assert.deepEqual(settled, ['ns/a']);
    assert.deepEqual(changes, ['member3 slow']);
    assert.deepEqual(l.slowClusters(), ['member3']);
  });

  it('does not wait at all for a slow cluster, and finds it fast again when a chain ends in time', async () => {
    const { l, clock, settled, changes } = lanes();
    const first = chain<string>();
    const firstOutcome = l.run('member3', 'ns/a', first.run);
    await clock.advance(1_500);
    first.finish('late');
    await firstOutcome;
    await flush();
    const second = chain<string>();
    const outcome = l.run('member3', 'ns/b', second.run);
    await clock.advance(0);
    assert.deepEqual(await outcome, { done: false }, 'a slow cluster is not waited for');
    await clock.advance(100);
    second.finish('quick');
    await flush();
    assert.deepEqual(settled, ['ns/a', 'ns/b']);
    assert.deepEqual(changes, ['member3 slow', 'member3 fast']);
    assert.deepEqual(l.slowClusters(), []);
  });

  it('runs one chain per key and cluster: a second run while one is running waits for nothing and requeues once it ends', async () => {
    const { l, clock, settled } = lanes();
    const c = chain<string>();
    let runs = 0;
    const outcome = l.run('member3', 'ns/a', () => {
      runs++;
      return c.run();
    });
    const again = await l.run('member3', 'ns/a', async () => {
      runs++;
      return 'second';
    });
    assert.deepEqual(again, { done: false });
    assert.equal(runs, 1, 'the second chain did not start');
    await clock.advance(100);
    c.finish('written');
    assert.deepEqual(await outcome, { done: true, results: 'written' });
    assert.deepEqual(settled, ['ns/a'], 'the key whose writes were skipped runs again');
  });

  it('keeps clusters apart: a slow member3 leaves member2 waited for', async () => {
    const { l, clock } = lanes();
    const slow = chain<string>();
    void l.run('member3', 'ns/a', slow.run);
    await clock.advance(2_000);
    slow.finish('late');
    await flush();
    const fast = chain<string>();
    const outcome = l.run('member2', 'ns/a', fast.run);
    await clock.advance(10);
    fast.finish('quick');
    assert.deepEqual(await outcome, { done: true, results: 'quick' });
    assert.deepEqual(l.slowClusters(), ['member3']);
  });

  it('runs at most maxPerCluster chains in one cluster: another key is deferred, and requeued when a slot frees', async () => {
    const { l, clock, settled } = lanes(1_000, 2);
    const a = chain<string>();
    const b = chain<string>();
    void l.run('member3', 'ns/a', a.run);
    void l.run('member3', 'ns/b', b.run);
    let started = false;
    const outcome = await l.run('member3', 'ns/c', async () => {
      started = true;
      return 'c';
    });
    assert.deepEqual(outcome, { done: false });
    assert.equal(started, false, 'the third chain did not start');
    const other = await l.run('member2', 'ns/c', async () => 'elsewhere');
    assert.deepEqual(other, { done: true, results: 'elsewhere' }, 'other clusters have lanes of their own');
    await clock.advance(10);
    a.finish('a');
    await flush();
    assert.deepEqual(settled, ['ns/c'], 'the deferred key runs again once a slot is free');
    b.finish('b');
    await flush();
    assert.deepEqual(settled, ['ns/c'], 'and only once');
  });

  it('requeues deferred keys whose slot was never taken when asked to release idle lanes', async () => {
    const { l, clock, settled } = lanes(1_000, 1);
    const a = chain<string>();
    void l.run('member3', 'ns/a', a.run);
    for (const key of ['ns/b', 'ns/c'])
      assert.deepEqual(await l.run('member3', key, async () => key), { done: false });
    await clock.advance(10);
    a.finish('a');
    await flush();
    assert.deepEqual(settled, ['ns/b'], 'one slot, one key');
    // ns/b's reconcile failed before it wrote: its slot stays free, and ns/c would wait for nothing.
    l.releaseIdle();
    assert.deepEqual(settled, ['ns/b', 'ns/c']);
  });
});

describe('stopping the write lanes', () => {
  it('starts no chain once shut down, and drains those still running', async () => {
    const clock = fakeTimers();
    const lanes = new WriteLanes({
      waitMs: 10,
      maxPerCluster: 4,
      now: clock.now,
      timers: clock.timers,
      onSettled: () => {},
    });
    let finish: () => void = () => {};
    const slow = new Promise<string>((r) => {
      finish = () => r('done');
    });
    const first = lanes.run('member3', 'ns/a', () => slow);
    clock.advance(10);
    assert.deepEqual(await first, { done: false }, 'still running in the background');
    lanes.shutDown();
    let ran = false;
    assert.deepEqual(
      await lanes.run('member2', 'ns/b', async () => {
        ran = true;
      }),
      { done: false },
    );
    assert.equal(ran, false);
    let drained = false;
    const draining = lanes.drain().then(() => {
      drained = true;
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(drained, false, 'the chain of member3 still runs');
    finish();
    await draining;
    assert.equal(drained, true);
  });
});
