/**
 * The API requests of one cluster: plain JSON through raw-api.ts, each bounded, each counted
 * by verb and HTTP code, and every write let through only while the {@link WriteGate} is open.
 */
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { resultCode } from '../../lib/kube-errors.ts';
import { linkToLongLived } from './abort-link.ts';
import {
  DEFAULT_REQUEST_TIMEOUT_MS,
  type RawRequest,
  type RawWatchEvent,
  rawList,
  rawRequest,
  rawWatch,
} from './raw-api.ts';
import type { WriteGate } from './write-gate.ts';

/** The counter of API requests (the syncer's `api_requests_total`). */
export interface RequestCounter {
  inc(labels: { cluster: string; verb: string; code: string }): void;
}

/** The requests the syncer makes to one cluster (a {@link ClusterClient}, or a fake in tests). */
export interface KubeClient {
  /** Cluster name, as the metrics and messages show it. */
  readonly name: string;
  request<T>(verb: string, r: RawRequest): Promise<T>;
  write<T>(verb: string, r: RawRequest): Promise<T>;
  list<T extends KubernetesObject>(
    path: string,
    transform: (o: T) => T,
    labelSelector?: string,
    signal?: AbortSignal,
  ): Promise<KubernetesListObject<T>>;
  watch(
    path: string,
    query: { resourceVersion: string; labelSelector?: string },
    onEvent: (e: RawWatchEvent) => void,
    onOpen: () => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** Bounded, counted requests to one cluster. */
export class ClusterClient implements KubeClient {
  constructor(
    /** Cluster name, as the metrics and messages show it. */
    readonly name: string,
    readonly kubeConfig: KubeConfig,
    private readonly requests: RequestCounter,
    /** Fences writes (see write-gate.ts); reads always pass. */
    private readonly gate?: WriteGate,
    /** Bound of a request that sets none of its own (`--request-timeout`). */
    private readonly requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {}

  /** A read (or any request that changes nothing), counted as `verb`. */
  request<T>(verb: string, r: RawRequest): Promise<T> {
    return this.call(verb, () =>
      rawRequest<T>(this.kubeConfig, { ...r, timeoutMs: r.timeoutMs ?? this.requestTimeoutMs }),
    );
  }

  /**
   * A write, counted as `verb`: refused before it is sent unless the gate is open, and aborted
   * when the gate closes while it is in flight.
   */
  async write<T>(verb: string, r: RawRequest): Promise<T> {
    // A write never sent is not counted as a request.
    this.gate?.check(`${r.method} ${r.path} to ${this.name}`);
    const timeoutMs = r.timeoutMs ?? this.requestTimeoutMs;
    if (!this.gate) return this.call(verb, () => rawRequest<T>(this.kubeConfig, { ...r, timeoutMs }));
    // Not a listener on the gate's signal per request: see abort-link.ts.
    const gate = linkToLongLived(this.gate.signal);
    const signal = r.signal ? AbortSignal.any([r.signal, gate.signal]) : gate.signal;
    try {
      return await this.call(verb, () => rawRequest<T>(this.kubeConfig, { ...r, signal, timeoutMs }));
    } finally {
      gate.release();
    }
  }

  /** A paginated plain JSON list, each item passed through `transform`; counted as one `list`. */
  list<T extends KubernetesObject>(
    path: string,
    transform: (o: T) => T,
    labelSelector?: string,
    signal?: AbortSignal,
  ): Promise<KubernetesListObject<T>> {
    return this.call('list', () =>
      rawList<T>(this.kubeConfig, path, {
        transform,
        labelSelector,
        signal,
        timeoutMs: this.requestTimeoutMs,
      }),
    );
  }

  /**
   * A watch from `resourceVersion`, with bookmarks, that the API server ends after 5–10
   * minutes (as client-go's reflector asks); counted as `watch` when it ends.
   */
  watch(
    path: string,
    query: { resourceVersion: string; labelSelector?: string },
    onEvent: (e: RawWatchEvent) => void,
    onOpen: () => void,
    signal: AbortSignal,
  ): Promise<void> {
    const timeoutSeconds = 300 + Math.floor(Math.random() * 300);
    return this.call('watch', () =>
      rawWatch(
        this.kubeConfig,
        path,
        { ...query, allowWatchBookmarks: true, timeoutSeconds },
        onEvent,
        onOpen,
        signal,
      ),
    );
  }

  /** Runs one API request and counts it as `verb` with its outcome. */
  async call<T>(verb: string, request: () => Promise<T>): Promise<T> {
    try {
      const result = await request();
      this.requests.inc({ cluster: this.name, verb, code: '2xx' }); // one class: the exact code adds nothing here
      return result;
    } catch (err) {
      this.requests.inc({ cluster: this.name, verb, code: resultCode(err) });
      throw err;
    }
  }
}
