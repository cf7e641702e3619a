/**
 * A keyed work queue with the semantics of client-go's workqueue: a key waits at most
 * once; a key added while it is being processed runs again after; failures retry with
 * per-key exponential backoff, and all retries together are capped by a token bucket (as
 * client-go's default controller rate limiter: the larger of the two delays wins), so a storm
 * of failures cannot hammer an API server (delays from lib/backoff.ts). A failure's Retry-After
 * is waited out within the cap. Each key remembers which clusters its failures came from, so
 * the recovery of one cluster restarts only their backoff, still through the bucket. Watch
 * events only add keys here, so a burst of events for one MultiClusterService costs one reconcile.
 */
import { ItemBackoff, TokenBucket } from '../../lib/backoff.ts';
import { realClocks, realTimers, type Timers } from '../../lib/timers.ts';

/** Backoff of failed keys: base doubling per failure up to max. */
export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

/** The overall cap on retries: `qps` retries a second, `burst` at once (client-go: 10 and 100). */
export interface RetryBucketOptions {
  qps: number;
  burst: number;
}

/** What is known of a failure: where it came from, and how long the server asked us to wait. */
export interface FailureInfo {
  /**
   * The clusters whose answers failed the key (`hub`, or a member's name): when one of them
   * recovers, only the keys it failed retry sooner (see {@link WorkQueue.recovered}).
   */
  origins?: readonly string[];
  /** A server's Retry-After (ms): the retry waits at least this long, within the backoff's cap. */
  retryAfterMs?: number;
}

/** Keyed, de-duplicating work queue. */
export class WorkQueue {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly perKey: ItemBackoff;
  private readonly bucket: TokenBucket;
  /** Per key with failures: the clusters they came from. */
  private readonly origins = new Map<string, Set<string>>();
  private readonly delayed = new Map<string, unknown>();
  /** Keys whose delayed add is a rate-limited retry (not a plain requeue-after). */
  private readonly retrying = new Set<string>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;

  constructor(
    private readonly timers: Timers = realTimers,
    backoff: BackoffOptions = { baseMs: 50, maxMs: 60_000 },
    bucket: RetryBucketOptions = { qps: 10, burst: 100 },
    /** The bucket's clock: monotonic, so a wall clock stepped back cannot starve it. */
    private readonly now: () => number = realClocks.monotonic,
  ) {
    this.perKey = new ItemBackoff(backoff.baseMs, backoff.maxMs);
    this.bucket = new TokenBucket(bucket.qps, bucket.burst, now());
  }

  /** Number of keys waiting (not counting those being processed). */
  get length(): number {
    return this.waiting.length;
  }

  /** Adds a key now. A no-op when it already waits; deferred when it is being processed. */
  add(key: string): void {
    if (this.shuttingDown) return;
    this.cancelDelayed(key);
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    const waiter = this.waiters.shift();
    if (waiter) {
      this.queued.delete(key);
      this.processing.add(key);
      waiter(key);
    } else {
      this.waiting.push(key);
    }
  }

  /**
   * Adds a key now unless it waits out a rate-limited retry: a resync after an outage must not
   * undo the backoff (and the bucket) of keys that failed for another reason.
   */
  addUnlessRetrying(key: string): void {
    if (!this.retrying.has(key)) this.add(key);
  }

  /** Adds a key after `ms`, unless it is added sooner. An earlier pending add wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown || this.delayed.has(key) || this.queued.has(key)) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    this.delayed.set(
      key,
      this.timers.setTimeout(() => {
        this.delayed.delete(key);
        this.retrying.delete(key);
        this.add(key);
      }, ms),
    );
  }

  /**
   * Re-adds a failed key after its backoff (at least the server's Retry-After, within the cap)
   * or after the retry bucket has a token for it, whichever is later; returns the delay chosen.
   */
  addRateLimited(key: string, failure: FailureInfo = {}): number {
    const origins = this.origins.get(key) ?? new Set<string>();
    for (const o of failure.origins ?? []) origins.add(o);
    this.origins.set(key, origins);
    const backoff = Math.max(this.perKey.when(key), this.perKey.capped(failure.retryAfterMs ?? 0));
    const delay = Math.max(backoff, this.bucket.reserve(this.now()));
    const had = this.delayed.has(key) || this.queued.has(key);
    this.addAfter(key, delay);
    if (!had && delay > 0) this.retrying.add(key);
    return delay;
  }

  /**
   * `origin` (the hub, or a member) answers again: the keys whose failures came from it start
   * their backoff over and retry as soon as the retry bucket lets them; every other key keeps
   * its backoff. Returns the keys rescheduled.
   */
  recovered(origin: string): string[] {
    const keys = [...this.origins].filter(([, from]) => from.has(origin)).map(([key]) => key);
    for (const key of keys) {
      this.perKey.forget(key);
      this.origins.delete(key);
      if (!this.retrying.has(key)) continue;
      this.cancelDelayed(key);
      this.addAfter(key, this.bucket.reserve(this.now()));
      if (this.delayed.has(key)) this.retrying.add(key);
    }
    return keys;
  }

  private cancelDelayed(key: string): void {
    const timer = this.delayed.get(key);
    if (timer === undefined) return;
    this.timers.clearTimeout(timer);
    this.delayed.delete(key);
    this.retrying.delete(key);
  }

  /** Clears a key's failure count after it succeeded. */
  forget(key: string): void {
    this.perKey.forget(key);
    this.origins.delete(key);
  }

  /** Failures recorded for a key since it last succeeded. */
  retries(key: string): number {
    return this.perKey.retries(key);
  }

  /** Waits for the next key; resolves undefined once the queue is shut down and drained. */
  get(): Promise<string | undefined> {
    const key = this.waiting.shift();
    if (key !== undefined) {
      this.queued.delete(key);
      this.processing.add(key);
      return Promise.resolve(key);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks a key finished; if it was added meanwhile, it waits again. */
  done(key: string): void {
    this.processing.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  /** Stops accepting keys; pending `get`s resolve undefined. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const t of this.delayed.values()) this.timers.clearTimeout(t);
    this.delayed.clear();
    this.retrying.clear();
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
