/**
 * A keyed work queue with the semantics of client-go's workqueue: a key waits at most
 * once; a key added while it is being processed runs again after; failures retry with
 * per-key exponential backoff, and all retries together are capped by a token bucket (as
 * client-go's default controller rate limiter: the larger of the two delays wins), so a storm
 * of failures cannot hammer an API server. Watch events only add keys here, so a burst of
 * events for one MultiClusterService costs one reconcile.
 */
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

/** Keyed, de-duplicating work queue. */
export class WorkQueue {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, unknown>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private shuttingDown = false;
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly timers: Timers = realTimers,
    private readonly backoff: BackoffOptions = { baseMs: 50, maxMs: 60_000 },
    private readonly bucket: RetryBucketOptions = { qps: 10, burst: 100 },
    /** The bucket's clock: monotonic, so a wall clock stepped back cannot starve it. */
    private readonly now: () => number = realClocks.monotonic,
  ) {
    this.tokens = bucket.burst;
    this.refilledAt = now();
  }

  /** Number of keys waiting (not counting those being processed). */
  get length(): number {
    return this.waiting.length;
  }

  /** Adds a key now. A no-op when it already waits; deferred when it is being processed. */
  add(key: string): void {
    if (this.shuttingDown) return;
    const timer = this.delayed.get(key);
    if (timer !== undefined) {
      this.timers.clearTimeout(timer);
      this.delayed.delete(key);
    }
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
        this.add(key);
      }, ms),
    );
  }

  /**
   * Re-adds a failed key after its backoff or after the retry bucket has a token for it,
   * whichever is later; returns the delay chosen.
   */
  addRateLimited(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    const delay = Math.max(Math.min(this.backoff.maxMs, this.backoff.baseMs * 2 ** n), this.reserveToken());
    this.addAfter(key, delay);
    return delay;
  }

  /** Takes a token from the retry bucket; returns how long until it is really there (ms). */
  private reserveToken(): number {
    const now = this.now();
    const { qps, burst } = this.bucket;
    this.tokens = Math.min(burst, this.tokens + ((now - this.refilledAt) / 1000) * qps);
    this.refilledAt = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / qps);
  }

  /** Clears every key's failure count and runs the waiting retries now (an outage has ended). */
  retryAllNow(): void {
    this.failures.clear();
    for (const [key, timer] of [...this.delayed]) {
      this.timers.clearTimeout(timer);
      this.delayed.delete(key);
      this.add(key);
    }
  }

  /** Clears a key's failure count after it succeeded. */
  forget(key: string): void {
    this.failures.delete(key);
  }

  /** Failures recorded for a key since it last succeeded. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
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
    for (const w of this.waiters.splice(0)) w(undefined);
  }
}
