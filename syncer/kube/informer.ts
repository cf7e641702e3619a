/**
 * A cache of one resource in one cluster, kept by list and watch as client-go's reflector
 * keeps it, and made to survive what a plain list-watch does not:
 * - any error restarts the watch with jittered exponential backoff, resuming from the last
 *   resourceVersion seen (an event's or a bookmark's); only 410 Gone lists again. The backoff
 *   starts over only after a watch stayed healthy for `healthyAfterMs` (2 min, as the
 *   reflector's backoff manager): a watch that opens and fails at once backs off like any other;
 * - a silent connection (packets dropped, no reset) cannot hold a watch open for ever: the
 *   watch asks for bookmarks, which the API server sends about once a minute, and one that
 *   brings neither an event nor a bookmark for `idleTimeoutMs` is aborted and restarted from
 *   its resourceVersion;
 * - `synced` turns true after the first list, and stays true while the watch recovers.
 * Objects take the compact form of `transform` (see compact.ts) before they are stored.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { type BackoffPolicy, RetryBackoff } from '../../lib/backoff.ts';
import { describeApiError, retryAfterMs } from '../../lib/kube-errors.ts';
import { realTimers, type Timers } from '../../lib/timers.ts';

/** What changed in the cache; `obj` is the new object, or the last known one for a delete. */
export type CacheEvent = 'add' | 'update' | 'delete';

/** A list answer: items (already in cache form) and the resourceVersion to watch from. */
export interface ListResult<T> {
  items: T[];
  resourceVersion: string;
}

/** One watch event; `object` is in cache form for ADDED, MODIFIED and DELETED. */
export interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T | { code?: number; message?: string; metadata?: { resourceVersion?: string } };
}

/** The two requests an informer makes (the API in production, a fake in tests). */
export interface ListWatchSource<T> {
  /** Lists the collection. */
  list(signal: AbortSignal): Promise<ListResult<T>>;
  /**
   * Watches from `resourceVersion` until the server ends the stream (resolve) or it fails
   * (reject); `onOpen` once the server accepted it.
   */
  watch(
    resourceVersion: string,
    onEvent: (e: WatchEvent<T>) => void,
    onOpen: () => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** Options of an informer. */
export interface InformerOptions<T extends KubernetesObject> {
  /** Cluster name, for logs. */
  cluster: string;
  /** Resource name, for logs (e.g. `endpointslices`). */
  resource: string;
  source: ListWatchSource<T>;
  logger: Logger;
  /** Called for every cache change: keep it cheap (enqueue a key). */
  onEvent: (event: CacheEvent, obj: T) => void;
  /** Called when the watch restarted after an error (for a metric). */
  onRestart?: () => void;
  /** Called once the watch works again after failures (the cluster is back). */
  onRecovered?: () => void;
  /** Called after each list that filled the cache (the first one, and after a 410). */
  onListed?: () => void;
  timers?: Timers;
  /** Monotonic clock (ms) that times how long a watch stayed healthy (default `performance.now`). */
  now?: () => number;
  /** Waits between failed lists and watches (default {@link DEFAULT_WATCH_BACKOFF}). */
  backoff?: BackoffPolicy;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
  /** A watch open this long without failing counts as healthy: the backoff starts over (default 2 min). */
  healthyAfterMs?: number;
  /** A watch that brings no event and no bookmark for this long is restarted (default 90 s). */
  idleTimeoutMs?: number;
}

/** Waits between failed lists and watches: 250 ms doubling to 30 s, each up to twice as long at random. */
export const DEFAULT_WATCH_BACKOFF: BackoffPolicy = { baseMs: 250, factor: 2, jitter: 1, capMs: 30_000 };

/** How long a watch must stay open before its backoff starts over (client-go's reflector: 2 min). */
export const DEFAULT_HEALTHY_AFTER_MS = 120_000;

/** The API server sends a bookmark about once a minute (k8s.io/apiserver's cacher); 1.5× that. */
export const DEFAULT_IDLE_TIMEOUT_MS = 90_000;

class GoneError extends Error {}
class IdleError extends Error {}
class RestartRequested extends Error {}

/** A self-healing list-watch cache of one resource in one cluster. */
export class Informer<T extends KubernetesObject> {
  private readonly store = new Map<string, Map<string, T>>();
  private resourceVersion = '';
  private listed = false;
  private stopped = true;
  private readonly backoff: RetryBackoff;
  /** Failing since the last successful list or watch open (for the log and onRecovered). */
  private failing = false;
  /** When the current watch opened (on `now`'s clock), undefined until it does. */
  private openedAt: number | undefined;
  private lastError: string | undefined;
  private current: AbortController | undefined;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;
  private readonly timers: Timers;
  private readonly now: () => number;

  constructor(private readonly opts: InformerOptions<T>) {
    this.timers = opts.timers ?? realTimers;
    this.now = opts.now ?? (() => performance.now());
    this.backoff = new RetryBackoff(opts.backoff ?? DEFAULT_WATCH_BACKOFF, opts.random);
  }

  /** True once the first list has filled the cache. Stays true while the watch recovers. */
  get synced(): boolean {
    return this.listed;
  }

  /** The last error that stopped the watch, until it recovers. */
  get error(): string | undefined {
    return this.lastError;
  }

  /** The resourceVersion the next watch resumes from ('' before the first list and after a 410). */
  get lastResourceVersion(): string {
    return this.resourceVersion;
  }

  /**
   * Starts listing and watching in the background; resolves once the first list has
   * succeeded or failed (each list request is bounded, so this is too).
   */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    let firstAttempt: () => void = () => {};
    const attempted = new Promise<void>((resolve) => {
      firstAttempt = resolve;
    });
    this.running = this.loop(firstAttempt);
    await attempted;
  }

  /** Stops watching and waits until the loop has ended; the cache keeps its contents. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.current?.abort(new RestartRequested('stopped'));
    this.wake?.();
    await this.running;
  }

  /** Drops the current watch and starts a new one now, from the last resourceVersion. */
  async restart(): Promise<void> {
    if (this.stopped) return;
    this.backoff.reset();
    this.current?.abort(new RestartRequested('restart'));
    this.wake?.();
  }

  /** One object from the cache. Cached objects are shared: never modify them. */
  get(name: string, namespace?: string): T | undefined {
    return this.store.get(namespace ?? '')?.get(name);
  }

  /** All cached objects, or those of one namespace. Never modify them. */
  list(namespace?: string): readonly T[] {
    if (namespace) return [...(this.store.get(namespace)?.values() ?? [])];
    const all: T[] = [];
    for (const objects of this.store.values()) all.push(...objects.values());
    return all;
  }

  private async loop(firstAttempt: () => void): Promise<void> {
    const { cluster, resource, logger } = this.opts;
    while (!this.stopped) {
      const controller = new AbortController();
      this.current = controller;
      this.openedAt = undefined;
      try {
        if (!this.resourceVersion) {
          if (this.listed)
            logger.info(
              { cluster, resource },
              `listing ${resource} in ${cluster} again: its watch expired (410 Gone)`,
            );
          const list = await this.opts.source.list(controller.signal);
          this.replace(list.items);
          this.resourceVersion = list.resourceVersion;
          this.listed = true;
          this.recovered();
          this.opts.onListed?.();
        }
        firstAttempt();
        await this.watchOnce(controller.signal);
      } catch (err) {
        firstAttempt();
        const reason = controller.signal.aborted ? controller.signal.reason : err;
        if (this.stopped || reason instanceof RestartRequested) continue;
        if (reason instanceof GoneError || httpStatus(reason) === 410) {
          this.resourceVersion = '';
          continue;
        }
        await this.backOff(reason);
      }
    }
  }

  /** One watch, until the server ends it (resolves) or it fails, goes idle or is aborted (rejects). */
  private async watchOnce(signal: AbortSignal): Promise<void> {
    const idleMs = this.opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    const controller = this.current;
    let idle: unknown;
    const arm = () => {
      if (idle !== undefined) this.timers.clearTimeout(idle);
      idle = this.timers.setTimeout(
        () =>
          controller?.abort(
            new IdleError(`no event or bookmark for ${idleMs / 1000} s: the connection is presumed dead`),
          ),
        idleMs,
      );
    };
    arm();
    try {
      await this.opts.source.watch(
        this.resourceVersion,
        (e) => {
          arm();
          this.apply(e);
        },
        () => {
          this.openedAt = this.now();
          this.recovered();
        },
        signal,
      );
    } finally {
      if (idle !== undefined) this.timers.clearTimeout(idle);
    }
  }

  private apply(e: WatchEvent<T>): void {
    if (e.type === 'ERROR') {
      // The server ends the stream after an ERROR event; abort it now, with the reason.
      const status = e.object as { code?: number; message?: string };
      this.current?.abort(
        status.code === 410
          ? new GoneError(status.message ?? 'resourceVersion too old')
          : new Error(`watch error event: ${status.message ?? 'no message'} (${status.code ?? 'no code'})`),
      );
      return;
    }
    const version = e.object.metadata?.resourceVersion;
    if (e.type !== 'BOOKMARK') {
      const obj = e.object as T;
      const ns = obj.metadata?.namespace ?? '';
      const name = obj.metadata?.name ?? '';
      if (e.type === 'DELETED') {
        const objects = this.store.get(ns);
        objects?.delete(name);
        if (objects?.size === 0) this.store.delete(ns);
        this.opts.onEvent('delete', obj);
      } else {
        const had = this.get(name, ns) !== undefined;
        this.put(obj);
        this.opts.onEvent(had ? 'update' : 'add', obj);
      }
    }
    if (version) this.resourceVersion = version;
  }

  /** Replaces the cache with a list: events only for what changed. */
  private replace(items: readonly T[]): void {
    const seen = new Set<string>();
    for (const obj of items) {
      const ns = obj.metadata?.namespace ?? '';
      const name = obj.metadata?.name ?? '';
      seen.add(`${ns}/${name}`);
      const old = this.get(name, ns);
      this.put(obj);
      if (!old) this.opts.onEvent('add', obj);
      else if (old.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
        this.opts.onEvent('update', obj);
    }
    for (const old of this.list()) {
      const ns = old.metadata?.namespace ?? '';
      const name = old.metadata?.name ?? '';
      if (seen.has(`${ns}/${name}`)) continue;
      this.store.get(ns)?.delete(name);
      if (this.store.get(ns)?.size === 0) this.store.delete(ns);
      this.opts.onEvent('delete', old);
    }
  }

  private put(obj: T): void {
    const ns = obj.metadata?.namespace ?? '';
    let objects = this.store.get(ns);
    if (!objects) {
      objects = new Map();
      this.store.set(ns, objects);
    }
    objects.set(obj.metadata?.name ?? '', obj);
  }

  /**
   * The API server answers again (a list succeeded, a watch opened): reported, but the backoff
   * is kept until the watch has stayed healthy (see {@link backOff}), so a watch that opens and
   * fails at once does not loop at the first delay.
   */
  private recovered(): void {
    if (!this.failing) return;
    this.opts.logger.info(
      { cluster: this.opts.cluster, resource: this.opts.resource, failures: this.backoff.failures },
      `watch of ${this.opts.resource} in ${this.opts.cluster} recovered`,
    );
    this.failing = false;
    this.lastError = undefined;
    this.opts.onRecovered?.();
  }

  private async backOff(err: unknown): Promise<void> {
    const healthyMs = this.opts.healthyAfterMs ?? DEFAULT_HEALTHY_AFTER_MS;
    if (this.openedAt !== undefined && this.now() - this.openedAt >= healthyMs) this.backoff.reset();
    this.failing = true;
    this.lastError = describe(err);
    // A 429 (API Priority and Fairness) says how long to wait: at least that, within the cap.
    const delay = this.backoff.nextAtLeast(retryAfterMs(err) ?? 0);
    const failures = this.backoff.failures;
    // Log the first failure and then every tenth, so an outage does not flood the log.
    if (failures === 1 || failures % 10 === 0) {
      this.opts.logger.warn(
        {
          cluster: this.opts.cluster,
          resource: this.opts.resource,
          failures,
          retryInMs: delay,
        },
        `watch of ${this.opts.resource} in ${this.opts.cluster} failed: ${this.lastError}`,
      );
    }
    this.opts.onRestart?.();
    await new Promise<void>((resolve) => {
      const timer = this.timers.setTimeout(resolve, delay);
      this.wake = () => {
        this.timers.clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }
}

function httpStatus(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | undefined;
  const code = e?.code ?? e?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

function describe(err: unknown): string {
  const text = describeApiError(err);
  const code = httpStatus(err);
  return code !== undefined && !text.includes(String(code)) ? `${text} (${code})` : text;
}
