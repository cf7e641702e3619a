/**
 * The read-only API calls of `kubectl mcs`, made by the syncer's own client
 * (syncer/kube/raw-api.ts), so both programs' requests are bounded the same way: one deadline
 * for the whole exchange, resolving the credentials included (an exec plugin that hangs, a
 * cluster that accepts the connection and never answers, cost at most the deadline). This
 * file only puts the plugin's words on the outcome: errors name the cluster, its server and
 * the request, and an HTTP error keeps its status for the caller to judge.
 */
import { ApiException, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { describeApiError } from '../lib/kube-errors.ts';
import type { Timers } from '../lib/timers.ts';
import { rawList, rawRequest } from '../syncer/kube/raw-api.ts';

/** One cluster as the plugin reaches it. */
export interface Target {
  /** `hub`, or the member's name. */
  readonly cluster: string;
  readonly kubeConfig: KubeConfig;
  /** Bound on one request, in ms. */
  readonly timeoutMs: number;
  /** The timers of the bound (default: the real ones). */
  readonly timers?: Timers;
}

/** A failed request: `code` is the HTTP status, undefined when no answer came. */
export class RequestError extends Error {
  constructor(
    message: string,
    readonly code: number | undefined,
  ) {
    super(message);
  }
}

/** What kind of cluster a name is, for messages: `the hub` or `member cluster member2`. */
export function clusterLabel(cluster: string): string {
  return cluster === 'hub' ? 'the hub' : `member cluster ${cluster}`;
}

/** `the hub (https://…)`: who a message is about. */
function who(t: Target): string {
  return `${clusterLabel(t.cluster)} (${t.kubeConfig.getCurrentCluster()?.server ?? 'no server'})`;
}

/**
 * The error of a request that got no HTTP answer (refused, reset, past its deadline, no
 * credentials), naming the cluster and the request. The client's own errors already name the
 * request (`GET /readyz: no answer within 2s`); a socket's do not (`connect ECONNREFUSED …`).
 */
function unanswered(t: Target, path: string, err: unknown): RequestError {
  const e = err as NodeJS.ErrnoException;
  const message = e instanceof Error ? e.message : String(err);
  const cause = e.code && !message.includes(e.code) ? `${message} (${e.code})` : message;
  const request = `GET ${path}`;
  return new RequestError(
    `${who(t)}: ${cause.startsWith(`${request}:`) ? cause : `${request}: ${cause}`}`,
    undefined,
  );
}

/** An HTTP error answer, with the API server's own message and the status. */
function refused(t: Target, path: string, err: ApiException<unknown>): RequestError {
  return new RequestError(`${who(t)}: GET ${path}: ${describeApiError(err)}`, err.code);
}

/** Undefined for a 404 when the caller allows it; otherwise throws the failure in the plugin's words. */
function missing(t: Target, path: string, err: unknown, missingOk: boolean | undefined): undefined {
  if (!(err instanceof ApiException)) throw unanswered(t, path, err);
  if (err.code === 404 && missingOk) return undefined;
  throw refused(t, path, err);
}

/** GET `path`; resolves with status and body whatever the status; rejects only when no answer came. */
export async function getRaw(t: Target, path: string): Promise<{ status: number; text: string }> {
  try {
    const text = await rawRequest<string>(t.kubeConfig, {
      method: 'GET',
      path,
      answer: 'text',
      timeoutMs: t.timeoutMs,
      timers: t.timers,
    });
    return { status: 200, text };
  } catch (err) {
    if (err instanceof ApiException) return { status: err.code, text: String(err.body ?? '') };
    throw unanswered(t, path, err);
  }
}

/**
 * GET `path` as JSON. A 404 resolves undefined when `missingOk`; any other non-2xx rejects with
 * the API server's own message.
 */
export async function getJson<T>(
  t: Target,
  path: string,
  o: { missingOk?: boolean } = {},
): Promise<T | undefined> {
  try {
    return await rawRequest<T>(t.kubeConfig, {
      method: 'GET',
      path,
      timeoutMs: t.timeoutMs,
      timers: t.timers,
    });
  } catch (err) {
    return missing(t, path, err, o.missingOk);
  }
}

/**
 * Lists a collection page by page (500 a page), keeping what `keep` returns of each item.
 * Resolves undefined when the server does not serve it (404) and `missingOk`.
 */
export async function listAll<T extends KubernetesObject, K extends KubernetesObject = T>(
  t: Target,
  path: string,
  o: { labelSelector?: string; keep?: (item: T) => K; missingOk?: boolean } = {},
): Promise<K[] | undefined> {
  try {
    const list = await rawList<T, K>(t.kubeConfig, path, {
      labelSelector: o.labelSelector,
      transform: o.keep,
      timeoutMs: t.timeoutMs,
      timers: t.timers,
    });
    return list.items;
  } catch (err) {
    return missing(t, path, err, o.missingOk);
  }
}
