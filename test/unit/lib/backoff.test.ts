/** The retry delays every loop of the programs waits out: client-go's wait.Backoff and work queue limiter. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, ItemBackoff, RetryBackoff, TokenBucket } from '../../../lib/backoff.ts';

const policy = { baseMs: 100, factor: 2, jitter: 1, capMs: 1_000 };

describe('the delay of a retry', () => {
  const cases: Array<[string, number, number, number]> = [
    ['the first retry waits the base with no jitter drawn', 0, 0, 100],
    ['each failure multiplies the delay by the factor', 3, 0, 800],
    ['the delay never passes the cap', 10, 0, 1_000],
    ['jitter lengthens a delay by up to jitter × itself', 1, 0.5, 300],
    ['jitter does not lift a delay past the cap', 3, 0.99, 1_000],
  ];
  for (const [name, attempt, random, want] of cases) {
    it(name, () =>
      assert.equal(
        backoffDelay(policy, attempt, () => random),
        want,
      ),
    );
  }

  it('counts failures and starts over when reset', () => {
    const b = new RetryBackoff({ ...policy, jitter: 0 });
    assert.deepEqual([b.next(), b.next(), b.next()], [100, 200, 400]);
    assert.equal(b.failures, 3);
    b.reset();
    assert.equal(b.next(), 100);
  });

  it('waits at least a server’s Retry-After, but not past the cap', () => {
    const b = new RetryBackoff({ ...policy, jitter: 0 });
    assert.equal(b.nextAtLeast(500), 500);
    assert.equal(b.nextAtLeast(60_000), 1_000);
  });
});

describe('the work queue’s limiter', () => {
  it('backs each key off on its own, with no jitter', () => {
    const b = new ItemBackoff(50, 1_000);
    assert.deepEqual([b.when('a'), b.when('a'), b.when('b'), b.when('a')], [50, 100, 50, 200]);
    b.forget('a');
    assert.equal(b.retries('a'), 0);
  });

  it('lends tokens ahead and says how long until each is there', () => {
    const bucket = new TokenBucket(10, 2, 0);
    assert.deepEqual(
      [bucket.reserve(0), bucket.reserve(0), bucket.reserve(0), bucket.reserve(0)],
      [0, 0, 100, 200],
    );
  });

  it('is not drained by a clock that steps back', () => {
    const bucket = new TokenBucket(10, 1, 10_000);
    assert.equal(bucket.tryTake(5_000), true);
    assert.equal(bucket.tryTake(10_100), true, 'refilled from the latest time seen');
  });
});
