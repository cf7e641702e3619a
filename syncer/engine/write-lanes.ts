/**
 * Bounds how long a reconcile waits for one member's writes, so that a member that
 * answers slowly cannot hold every worker and stall propagation between the others.
 *
 * A reconcile hands each cluster's chain of writes to {@link WriteLanes.run}. If the chain
 * ends within the wait, the reconcile gets its results as usual. If not, the chain goes on
 * in the background and the reconcile goes on without it; when the chain ends, `onSettled`
 * requeues the key, and the next reconcile judges the outcome from the caches. A cluster
 * whose last chain outlasted the wait is "slow": reconciles do not wait for it at all until
 * a chain of its ends within the wait again. At most one chain per key and cluster runs at
 * a time, and at most `maxPerCluster` chains per cluster: a key that finds its cluster's lane
 * full is deferred, and requeued when a chain there ends. So a slow member never piles up
 * requests, and a saturated API server gets no more concurrent writes than workers would
 * make. The preconditions on every write (see executor.ts) keep a background write from
 * overwriting anything newer.
 */
import type { Timers } from '../../lib/timers.ts';

/** Options of {@link WriteLanes}. */
export interface WriteLanesOptions {
  /** How long a reconcile waits for one cluster's writes (ms). */
  waitMs: number;
  /** Chains running at once against one cluster, waited for or not (the number of workers). */
  maxPerCluster: number;
  now: () => number;
  timers: Timers;
  /** A chain the reconcile stopped waiting for has ended: run `key` again. */
  onSettled: (key: string) => void;
  /** A cluster became slow, or fast again; `tookMs` is what its last chain took. */
  onSlowChange?: (cluster: string, slow: boolean, tookMs: number) => void;
}

interface Running {
  /** Whether someone stopped waiting for it (or found it running): then its end requeues the key. */
  detached: boolean;
}

/** What a chain run through the lanes came to: its results, or `pending` (still running). */
export type LaneOutcome<R> = { done: true; results: R } | { done: false };

/** The per-cluster write chains of reconciles, and which clusters are slow. */
export class WriteLanes {
  private readonly running = new Map<string, Running>();
  /** Per cluster: chains running, and keys deferred because the lane was full. */
  private readonly lanes = new Map<string, { running: number; deferred: Set<string> }>();
  private readonly slow = new Set<string>();
  /** Every chain still running, waited for or not. */
  private readonly chains = new Set<Promise<unknown>>();
  private closed = false;

  constructor(private readonly o: WriteLanesOptions) {}

  /** Starts no chain any more: every later {@link run} answers pending at once. */
  shutDown(): void {
    this.closed = true;
  }

  /** Resolves once no chain runs (call after {@link shutDown}; the caller bounds the wait). */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.allSettled([...this.chains]);
  }

  /** The clusters currently treated as slow. */
  slowClusters(): string[] {
    return [...this.slow].sort();
  }

  /**
   * Runs `chain` (the writes of `key` in `cluster`) unless one is still running for them,
   * and waits for it at most the configured wait (not at all when the cluster is slow).
   */
  async run<R>(cluster: string, key: string, chain: () => Promise<R>): Promise<LaneOutcome<R>> {
    if (this.closed) return { done: false };
    const id = `${cluster}\u0000${key}`;
    const busy = this.running.get(id);
    if (busy) {
      busy.detached = true;
      return { done: false };
    }
    const lane = this.laneOf(cluster);
    if (lane.running >= this.o.maxPerCluster) {
      lane.deferred.add(key);
      return { done: false };
    }
    const entry: Running = { detached: false };
    this.running.set(id, entry);
    lane.running++;
    const started = this.o.now();
    const finished = chain().finally(() => {
      this.running.delete(id);
      lane.running--;
      this.judge(cluster, this.o.now() - started);
      if (entry.detached) this.o.onSettled(key);
      this.releaseDeferred(lane);
    });
    this.chains.add(finished);
    void finished.then(
      () => this.chains.delete(finished),
      () => this.chains.delete(finished),
    );
    const wait = this.slow.has(cluster) ? 0 : this.o.waitMs;
    let timer: unknown;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = this.o.timers.setTimeout(() => resolve('timeout'), wait);
    });
    try {
      const first = await Promise.race([finished.then((results) => ({ results })), timedOut]);
      if (first === 'timeout') {
        entry.detached = true;
        // The chain's own failures reach the next reconcile through the caches; never an unhandled rejection.
        finished.catch(() => {});
        return { done: false };
      }
      return { done: true, results: first.results };
    } finally {
      this.o.timers.clearTimeout(timer);
    }
  }

  /**
   * Requeues deferred keys for every free slot of every lane. Chains that end do this for
   * their lane; call it now and then as well, since a requeued key may not take its slot
   * (its reconcile failed before writing) and the keys behind it would wait for nothing.
   */
  releaseIdle(): void {
    for (const lane of this.lanes.values()) this.releaseDeferred(lane);
  }

  private releaseDeferred(lane: { running: number; deferred: Set<string> }): void {
    // Oldest first; as many as there are free slots.
    let free = this.o.maxPerCluster - lane.running;
    for (const key of lane.deferred) {
      if (free-- <= 0) break;
      lane.deferred.delete(key);
      this.o.onSettled(key);
    }
  }

  private laneOf(cluster: string): { running: number; deferred: Set<string> } {
    let lane = this.lanes.get(cluster);
    if (!lane) {
      lane = { running: 0, deferred: new Set() };
      this.lanes.set(cluster, lane);
    }
    return lane;
  }

  private judge(cluster: string, tookMs: number): void {
    const slow = tookMs > this.o.waitMs;
    if (slow === this.slow.has(cluster)) return;
    if (slow) this.slow.add(cluster);
    else this.slow.delete(cluster);
    this.o.onSlowChange?.(cluster, slow, tookMs);
  }
}
