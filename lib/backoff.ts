/**
 * The retry delays of every loop that retries: computed here, waited for by the caller on its
 * own injected timers. Two kinds, as client-go has them:
 * - {@link RetryBackoff}, client-go's `wait.Backoff` (base, factor, jitter, cap) for loops that
 *   reconnect or retry one thing (a watch, a refresh, a look, a certificate check): jitter
 *   spreads the retries of many syncers, or many watches, after one outage;
 * - {@link ItemBackoff} and {@link TokenBucket}, client-go's default controller rate limiter
 *   for the work queue: exponential per key with no jitter, all keys together capped by a
 *   token bucket, the larger of the two delays winning.
 * Nothing here reads a clock or sets a timer: the bucket is told the time.
 */

/** client-go's `wait.Backoff`: the first delay, its growth per failure, the jitter and the cap. */
export interface BackoffPolicy {
  /** First delay (ms). */
  baseMs: number;
  /** Growth per failure (client-go's reflector: 2). */
  factor: number;
  /** Each delay is lengthened by up to `jitter` × itself, at random (0: none). */
  jitter: number;
  /** No delay exceeds this (ms), jitter included. */
  capMs: number;
}

/**
 * The delay before retry `attempt` (0 for the first failure): `base × factor^attempt` up to the
 * cap, lengthened by up to `jitter` × itself, and never past the cap. `random` returns [0, 1).
 */
export function backoffDelay(p: BackoffPolicy, attempt: number, random: () => number = Math.random): number {
  const plain = Math.min(p.capMs, p.baseMs * p.factor ** Math.max(0, attempt));
  return Math.min(p.capMs, Math.round(plain + plain * p.jitter * random()));
}

/** The failures of one retrying loop, and the delay each asks for. */
export class RetryBackoff {
  private count = 0;

  constructor(
    private readonly policy: BackoffPolicy,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failures counted since the last {@link reset}. */
  get failures(): number {
    return this.count;
  }

  /** Counts a failure; returns how long to wait before the next try (ms). */
  next(): number {
    const delay = backoffDelay(this.policy, this.count, this.random);
    this.count++;
    return delay;
  }

  /** Counts a failure but waits at least `minMs` (a server's Retry-After), within the cap. */
  nextAtLeast(minMs: number): number {
    return Math.max(this.next(), Math.min(this.policy.capMs, minMs));
  }

  /** Starts counting again from the first delay (the thing retried is known healthy). */
  reset(): void {
    this.count = 0;
  }
}

/** Per-key exponential backoff, no jitter (client-go's ItemExponentialFailureRateLimiter). */
export class ItemBackoff {
  private readonly failures = new Map<string, number>();

  constructor(
    private readonly baseMs: number,
    private readonly capMs: number,
  ) {}

  /** Counts a failure of `key`; returns its delay: base doubling per failure, up to the cap. */
  when(key: string): number {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    return Math.min(this.capMs, this.baseMs * 2 ** n);
  }

  /** Clamps a server's requested wait (Retry-After) to the cap. */
  capped(ms: number): number {
    return Math.min(this.capMs, Math.max(0, ms));
  }

  /** Failures of `key` since it was last forgotten. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  /** Forgets `key`'s failures (it succeeded, or what failed it has recovered). */
  forget(key: string): void {
    this.failures.delete(key);
  }
}

/**
 * A token bucket that lends tokens ahead (client-go's BucketRateLimiter, whose `Reserve` the
 * work queue uses): taking a token always succeeds and says how long until it is really there.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  /** `qps` tokens a second, at most `burst` at once; full at `now` (ms). */
  constructor(
    private readonly qps: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.refilledAt = now;
  }

  /** Takes a token at `now` (ms, one clock for every call); returns the wait until it is there (ms). */
  reserve(now: number): number {
    this.refill(now);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.qps);
  }

  /** Takes a token at `now` only if one is there; false otherwise. */
  tryTake(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  private refill(now: number): void {
    // A clock that steps back must not drain the bucket.
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed / 1000) * this.qps);
    this.refilledAt = Math.max(this.refilledAt, now);
  }
}
