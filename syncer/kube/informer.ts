/**
 * A cache of one resource in one cluster, kept by client-node's ListWatch, made to
 * survive what ListWatch alone does not, and to hold objects in a compact form:
 * - ListWatch stops for good on any error other than 410 Gone; here it restarts with
 *   exponential backoff, resuming from its last resourceVersion (a 410 then relists).
 * - ListWatch has no "synced" signal; here `synced` turns true after the first list.
 * - Its watches carry no timeout, so a silently dead connection could hang forever;
 *   here each watch asks the server to end it after 5–10 minutes (as client-go does) and
 *   asks for bookmarks, so a re-watch rarely needs a relist.
 */
import {
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  ListWatch,
  Watch,
} from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { realTimers, type Timers } from '../engine/queue.ts';

/** What changed in the cache; `obj` is the new object, or the last known one for a delete. */
export type CacheEvent = 'add' | 'update' | 'delete';

/** A Watch that bounds each watch request, asks for bookmarks, and transforms objects for the cache. */
class BoundedWatch extends Watch {
  constructor(
    kc: KubeConfig,
    private readonly transform: ((o: never) => unknown) | undefined,
  ) {
    super(kc);
  }

  override watch(
    path: string,
    queryParams: Record<string, string | number | boolean | undefined>,
    callback: (phase: string, apiObj: unknown, watchObj?: unknown) => void,
    done: (err: unknown) => void,
  ): Promise<AbortController> {
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    const transform = this.transform;
    const forward = transform
      ? (phase: string, obj: unknown, w?: unknown) =>
          callback(
            phase,
            phase === 'ADDED' || phase === 'MODIFIED' || phase === 'DELETED' ? transform(obj as never) : obj,
            w,
          )
      : callback;
    return super.watch(path, { ...queryParams, timeoutSeconds, allowWatchBookmarks: true }, forward, done);
  }
}

/** Options of an informer. */
export interface InformerOptions<T extends KubernetesObject> {
  /** Cluster name, for logs and metrics. */
  cluster: string;
  /** Resource name, for logs and metrics (e.g. `endpointslices`). */
  resource: string;
  kubeConfig: KubeConfig;
  /** The collection's API path, e.g. `/apis/discovery.k8s.io/v1/endpointslices`. */
  path: string;
  /**
   * Lists the collection, passing each item through `transform` as it arrives (page by
   * page, so a large list never sits in memory whole); the answer must be plain JSON.
   */
  list: (transform: (o: T) => T) => Promise<KubernetesListObject<T>>;
  /** The form objects take in the cache (see compact.ts); default: as received. */
  transform?: (o: T) => T;
  labelSelector?: string;
  logger: Logger;
  /** Called for every cache change: keep it cheap (enqueue a key). */
  onEvent: (event: CacheEvent, obj: T) => void;
  /** Called when the watch restarted after an error (for a metric). */
  onRestart?: () => void;
  /** Called once the watch works again after failures (the cluster is back). */
  onRecovered?: () => void;
  timers?: Timers;
  backoff?: { baseMs: number; maxMs: number };
}

/** A self-healing list-watch cache of one resource in one cluster. */
export class Informer<T extends KubernetesObject> {
  private readonly lw: ListWatch<T>;
  private listed = false;
  private stopped = true;
  private failures = 0;
  private errorsSeen = 0;
  private retry: unknown;
  private lastError: string | undefined;
  private readonly timers: Timers;

  constructor(private readonly opts: InformerOptions<T>) {
    this.timers = opts.timers ?? realTimers;
    const transform = opts.transform ?? ((o: T) => o);
    const list = async () => {
      // ListWatch lists again only when the server no longer serves its resourceVersion.
      if (this.listed)
        opts.logger.info(
          { cluster: opts.cluster, resource: opts.resource },
          `listing ${opts.resource} in ${opts.cluster} again: its watch expired (410 Gone)`,
        );
      const result = await opts.list(transform);
      this.listed = true;
      return result;
    };
    this.lw = new ListWatch<T>(
      opts.path,
      new BoundedWatch(opts.kubeConfig, opts.transform as ((o: never) => unknown) | undefined),
      list,
      false,
      opts.labelSelector,
    );
    this.lw.on('add', (o) => opts.onEvent('add', o));
    this.lw.on('update', (o) => opts.onEvent('update', o));
    this.lw.on('delete', (o) => opts.onEvent('delete', o));
    this.lw.on('error', (err) => this.onError(err));
  }

  /** True once the first list has filled the cache. Stays true while the watch recovers. */
  get synced(): boolean {
    return this.listed;
  }

  /** The last error that stopped the watch, until it recovers. */
  get error(): string | undefined {
    return this.lastError;
  }

  /** Starts listing and watching; resolves after the first attempt (which may have failed and be retrying). */
  async start(): Promise<void> {
    this.stopped = false;
    await this.attempt();
  }

  /** Stops watching; the cache keeps its contents. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry !== undefined) this.timers.clearTimeout(this.retry);
    this.retry = undefined;
    await this.lw.stop();
  }

  /** Drops the current watch and starts a new one now (e.g. when the cluster comes back). */
  async restart(): Promise<void> {
    if (this.stopped) return;
    if (this.retry !== undefined) this.timers.clearTimeout(this.retry);
    this.retry = undefined;
    await this.lw.stop(); // the abort this causes is ignored by onError
    await this.attempt();
  }

  /** One object from the cache. Cached objects are shared: never modify them. */
  get(name: string, namespace?: string): T | undefined {
    return this.lw.get(name, namespace);
  }

  /** All cached objects, or those of one namespace. Never modify them. */
  list(namespace?: string): readonly T[] {
    return this.lw.list(namespace);
  }

  /** One start of the list-watch; clears the failure count when it went through. */
  private async attempt(): Promise<void> {
    const errorsBefore = this.errorsSeen;
    await this.lw.start().catch((err) => this.onError(err));
    if (this.errorsSeen === errorsBefore && this.listed && this.failures > 0) {
      this.opts.logger.info(
        { cluster: this.opts.cluster, resource: this.opts.resource, failures: this.failures },
        `watch of ${this.opts.resource} in ${this.opts.cluster} recovered`,
      );
      this.failures = 0;
      this.lastError = undefined;
      this.opts.onRecovered?.();
    }
  }

  private onError(err: unknown): void {
    // Aborts are ours (stop, restart, ListWatch re-watching): retrying them would make two
    // watches abort each other in turn.
    if (this.stopped || isAbort(err)) return;
    this.errorsSeen++;
    this.failures++;
    this.lastError = describe(err);
    const backoff = this.opts.backoff ?? { baseMs: 250, maxMs: 30_000 };
    const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** (this.failures - 1));
    // Log the first failure and then every tenth, so an outage does not flood the log.
    if (this.failures === 1 || this.failures % 10 === 0) {
      this.opts.logger.warn(
        {
          cluster: this.opts.cluster,
          resource: this.opts.resource,
          failures: this.failures,
          retryInMs: delay,
        },
        `watch of ${this.opts.resource} in ${this.opts.cluster} failed: ${this.lastError}`,
      );
    }
    this.opts.onRestart?.();
    if (this.retry !== undefined) this.timers.clearTimeout(this.retry);
    this.retry = this.timers.setTimeout(() => {
      this.retry = undefined;
      if (!this.stopped) void this.attempt();
    }, delay);
  }
}

function isAbort(err: unknown): boolean {
  return (err as { name?: string } | undefined)?.name === 'AbortError';
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code =
      (err as { statusCode?: number; code?: number | string }).statusCode ?? (err as { code?: unknown }).code;
    return code !== undefined ? `${err.message} (${String(code)})` : err.message;
  }
  return String(err);
}
