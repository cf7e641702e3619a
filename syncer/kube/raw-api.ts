/**
 * Plain JSON requests to an API server, authenticated by the same KubeConfig (and the
 * same pooled connections) as client-node's typed clients, but without their model
 * layer. Profiling the syncer at 1,000 MCS showed client-node's ObjectSerializer
 * (serialize, deserialize, findCorrectType) as its largest JavaScript cost, and typed
 * lists turn every timestamp into a Date the cache then has to undo. Every request of the
 * syncer goes through here, so every one is bounded: a deadline for the whole request,
 * resolving its credentials included (a silent connection that accepts bytes and never answers
 * cannot hold it, nor an exec credential plugin that never ends), and an abort signal the
 * caller may fire sooner. The deadline runs on the timers the caller gives (the real ones by
 * default), which measure time on the monotonic clock. A watch is bounded by its caller (see
 * informer.ts).
 */
import https from 'node:https';
import { createInterface } from 'node:readline';
import {
  ApiException,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { formatDuration } from '../../lib/duration.ts';
import { realTimers, type Timers } from '../../lib/timers.ts';
import { boundExecPlugins } from './exec-credentials.ts';

/** Longest a request may take, answer included, unless the caller says otherwise. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Options of one request. */
export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with no query, e.g. `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Content type of the body (default application/json; merge patches need theirs). */
  contentType?: string;
  /** Deadline of the whole request (default {@link DEFAULT_REQUEST_TIMEOUT_MS}). */
  timeoutMs?: number;
  /** Aborts the request (the connection is destroyed, not just left waiting). */
  signal?: AbortSignal;
  /** `text`: resolve with the body as text (e.g. `/readyz`); default: parsed JSON. */
  answer?: 'json' | 'text';
  /** The timers of the deadline (default: the real ones). */
  timers?: Timers;
}

/** Rejected with when a request was aborted or ran past its deadline; `cause` says which. */
export class RequestAbortedError extends Error {
  override readonly name = 'RequestAbortedError';
}

function urlOf(kc: KubeConfig, path: string, query: RawRequest['query']): URL {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  return url;
}

/**
 * A signal that fires at the deadline or when `outer` fires, and why, for the error; `waitingFor`
 * says at the deadline what the request was still waiting for. Disposing it clears the timer.
 */
function deadline(
  what: string,
  timeoutMs: number,
  outer: AbortSignal | undefined,
  timers: Timers,
  waitingFor: () => string,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const timer = timers.setTimeout(
    () =>
      controller.abort(
        new RequestAbortedError(`${what}: ${waitingFor()} within ${formatDuration(timeoutMs)}`),
      ),
    timeoutMs,
  );
  const onOuter = () => {
    const reason = outer?.reason;
    controller.abort(
      reason instanceof Error
        ? new RequestAbortedError(`${what}: ${reason.message}`)
        : new RequestAbortedError(`${what}: aborted`),
    );
  };
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    dispose: () => {
      timers.clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
    },
  };
}

/** Rejects with the signal's reason once it fires, else settles as `p` does. */
function unlessAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Sends one request; resolves with the parsed answer, rejects with an ApiException on HTTP errors. */
export async function rawRequest<T>(kc: KubeConfig, r: RawRequest): Promise<T> {
  const url = urlOf(kc, r.path, r.query);
  const what = `${r.method} ${r.path}`;
  // The deadline starts now: resolving credentials (a token file, an exec plugin) is part of it.
  let waitingFor = 'its credentials were not ready';
  const bound = deadline(
    what,
    r.timeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    r.signal,
    r.timers ?? realTimers,
    () => waitingFor,
  );
  try {
    const opts = await unlessAborted(credentialed(kc, what, r.answer), bound.signal);
    waitingFor = 'no answer';
    return await send<T>(url, opts, r, what, bound.signal);
  } finally {
    bound.dispose();
  }
}

/** The request options with the user's credentials applied; an exec plugin's run is bounded. */
async function credentialed(
  kc: KubeConfig,
  what: string,
  answer: RawRequest['answer'],
): Promise<https.RequestOptions> {
  const opts: https.RequestOptions = { headers: { accept: answer === 'text' ? '*/*' : 'application/json' } };
  try {
    boundExecPlugins(kc);
    await kc.applyToHTTPSOptions(opts);
  } catch (err) {
    throw new Error(
      `${what}: cannot resolve the credentials of user ${kc.getCurrentUser()?.name ?? '(none)'}: ${(err as Error).message}`,
    );
  }
  return opts;
}

/** Sends the request once its options are ready, until `signal` fires. */
async function send<T>(
  url: URL,
  base: https.RequestOptions,
  r: RawRequest,
  what: string,
  signal: AbortSignal,
): Promise<T> {
  const opts: https.RequestOptions = { ...base, method: r.method };
  const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
  if (payload) {
    opts.headers = {
      ...opts.headers,
      'content-type': r.contentType ?? 'application/json',
      'content-length': payload.length,
    };
  }
  return await new Promise<T>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const req = https.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const code = res.statusCode ?? 0;
        if (code < 200 || code > 299) {
          const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
          reject(new ApiException(code, `HTTP-Code: ${code}\nBody: ${text}`, text, headers));
          return;
        }
        if (r.answer === 'text') {
          resolve(text as T);
          return;
        }
        try {
          resolve((text ? JSON.parse(text) : undefined) as T);
        } catch (err) {
          reject(new Error(`${what}: the API server's answer is not JSON: ${(err as Error).message}`));
        }
      });
    });
    // Destroying the request closes its connection: a silent one is not handed back to the pool.
    signal.addEventListener('abort', () => req.destroy(signal.reason as Error), { once: true });
    req.on('error', (err) => reject(signal.aborted ? signal.reason : err));
    req.end(payload);
  });
}

/**
 * Lists a collection page by page (so no single answer holds it all), passing every item
 * through `transform` as it arrives (it may keep only what the caller reads). Restarts once
 * from the top if the continue token expired (HTTP 410) between pages. Each page is bounded
 * like any request.
 */
export async function rawList<T extends KubernetesObject, K extends KubernetesObject = T>(
  kc: KubeConfig,
  path: string,
  opts: {
    labelSelector?: string;
    pageSize?: number;
    transform?: (o: T) => K;
    signal?: AbortSignal;
    timeoutMs?: number;
    timers?: Timers;
  } = {},
): Promise<KubernetesListObject<K>> {
  for (let attempt = 0; ; attempt++) {
    const items: K[] = [];
    let resourceVersion: string | undefined;
    let token: string | undefined;
    try {
      do {
        const page = await rawRequest<KubernetesListObject<T>>(kc, {
          method: 'GET',
          path,
          query: { labelSelector: opts.labelSelector, limit: opts.pageSize ?? 500, continue: token },
          signal: opts.signal,
          timeoutMs: opts.timeoutMs,
          timers: opts.timers,
        });
        resourceVersion ??= page.metadata?.resourceVersion;
        for (const item of page.items ?? [])
          items.push(opts.transform ? opts.transform(item) : (item as unknown as K));
        // The wire name; client-node's typed models call it `_continue`.
        token = (page.metadata as { continue?: string } | undefined)?.continue || undefined;
      } while (token);
      return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion }, items };
    } catch (err) {
      if (attempt === 0 && err instanceof ApiException && err.code === 410) continue;
      throw err;
    }
  }
}

/** One event of a watch stream, as the API server sends it. */
export interface RawWatchEvent {
  type: string;
  object: unknown;
}

/**
 * Opens a watch and passes every event to `onEvent`; `onOpen` is called once the API server
 * has accepted it (HTTP 200). Resolves when the server ends the stream, rejects with an
 * ApiException when it refuses the watch, with the abort reason when `signal` fires, or with
 * the network error. Nothing here bounds a watch: its caller does, by aborting it when no
 * event or bookmark has come for too long (see informer.ts).
 */
export async function rawWatch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  onEvent: (e: RawWatchEvent) => void,
  onOpen: () => void,
  signal: AbortSignal,
): Promise<void> {
  const url = urlOf(kc, path, { ...query, watch: true });
  const opts: https.RequestOptions = {
    ...(await unlessAborted(credentialed(kc, `watch ${path}`, 'json'), signal)),
    method: 'GET',
  };
  await new Promise<void>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let settled = false;
    const settle = (err?: unknown) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const req = https.request(url, opts, (res) => {
      const code = res.statusCode ?? 0;
      if (code !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', settle);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)]));
          settle(new ApiException(code, `HTTP-Code: ${code}\nBody: ${text}`, text, headers));
        });
        return;
      }
      onOpen();
      const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
      // readline re-emits the stream's errors: unhandled, one would end the process.
      lines.on('error', (err) => settle(signal.aborted ? signal.reason : err));
      lines.on('line', (line) => {
        if (settled || line.trim() === '') return;
        let event: RawWatchEvent;
        try {
          event = JSON.parse(line) as RawWatchEvent;
        } catch (err) {
          req.destroy(new Error(`watch ${path}: an event is not JSON: ${(err as Error).message}`));
          return;
        }
        try {
          onEvent(event);
        } catch (err) {
          req.destroy(err as Error);
        }
      });
      res.on('error', (err) => settle(signal.aborted ? signal.reason : err));
      res.on('end', () => settle());
      // 'close' without 'end': the connection went away mid-stream.
      res.on('close', () =>
        settle(signal.aborted ? signal.reason : new Error(`watch ${path}: connection closed`)),
      );
    });
    const onAbort = () => req.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => settle(signal.aborted ? signal.reason : err));
    req.end();
  });
}
