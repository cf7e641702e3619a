/**
 * The read-only API calls of `kubectl mcs`, each bounded by one deadline for the whole
 * exchange (connect, TLS, headers, body): a cluster that accepts the connection and never
 * answers costs at most the deadline. Errors name the cluster, the server and the request.
 */
import https from 'node:https';
import type { KubeConfig, KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';

/** One cluster as the plugin reaches it. */
export interface Target {
  /** `hub`, or the member's name. */
  readonly cluster: string;
  readonly kubeConfig: KubeConfig;
  /** Bound on one request, in ms. */
  readonly timeoutMs: number;
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

/** GET `path`; resolves with status and body whatever the status; rejects only when no answer came. */
export async function getRaw(
  t: Target,
  path: string,
  query: Record<string, string | undefined> = {},
): Promise<{ status: number; text: string }> {
  const server = t.kubeConfig.getCurrentCluster()?.server;
  if (!server)
    throw new RequestError(`${clusterLabel(t.cluster)}: its kubeconfig names no server`, undefined);
  const url = new URL(server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  const opts: https.RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
  try {
    await t.kubeConfig.applyToHTTPSOptions(opts);
  } catch (err) {
    throw new RequestError(
      `${clusterLabel(t.cluster)}: cannot use its credentials: ${(err as Error).message}`,
      undefined,
    );
  }
  return new Promise((resolve, reject) => {
    const where = `${clusterLabel(t.cluster)} (${server}): GET ${path}`;
    const req = https.request(url, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      res.on('error', (err) => reject(new RequestError(`${where}: ${err.message}`, undefined)));
    });
    const timer = setTimeout(
      () => req.destroy(new Error(`no answer within ${formatSeconds(t.timeoutMs)}`)),
      t.timeoutMs,
    );
    req.on('close', () => clearTimeout(timer));
    req.on('error', (err: NodeJS.ErrnoException) => {
      const cause =
        err.code && !err.message.includes(err.code) ? `${err.message} (${err.code})` : err.message;
      reject(new RequestError(`${where}: ${cause}`, undefined));
    });
    req.end();
  });
}

/**
 * GET `path` as JSON. A 404 resolves undefined when `missingOk`; any other non-2xx rejects with
 * the API server's own message.
 */
export async function getJson<T>(
  t: Target,
  path: string,
  o: { query?: Record<string, string | undefined>; missingOk?: boolean } = {},
): Promise<T | undefined> {
  const r = await getRaw(t, path, o.query);
  if (r.status === 404 && o.missingOk) return undefined;
  if (r.status < 200 || r.status > 299) {
    const server = t.kubeConfig.getCurrentCluster()?.server;
    throw new RequestError(
      `${clusterLabel(t.cluster)} (${server}): GET ${path}: ${statusMessage(r.text)} (HTTP ${r.status})`,
      r.status,
    );
  }
  try {
    return JSON.parse(r.text) as T;
  } catch {
    throw new RequestError(`${clusterLabel(t.cluster)}: GET ${path}: the answer is not JSON`, r.status);
  }
}

/** Lists a collection page by page (500 a page), keeping what `keep` returns of each item. */
export async function listAll<T extends KubernetesObject, K = T>(
  t: Target,
  path: string,
  o: { labelSelector?: string; keep?: (item: T) => K; missingOk?: boolean } = {},
): Promise<K[] | undefined> {
  const out: K[] = [];
  let token: string | undefined;
  do {
    const page = await getJson<KubernetesListObject<T>>(t, path, {
      query: { labelSelector: o.labelSelector, limit: '500', continue: token },
      missingOk: o.missingOk,
    });
    if (!page) return undefined;
    for (const item of page.items ?? []) out.push(o.keep ? o.keep(item) : (item as unknown as K));
    token = (page.metadata as { continue?: string } | undefined)?.continue || undefined;
  } while (token);
  return out;
}

/** `5s`, `1.5s`, `250ms`. */
export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms}ms` : `${Number((ms / 1000).toFixed(1))}s`;
}

function statusMessage(body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return parsed.message;
  } catch {
    // not a Status: say what came back, briefly
  }
  return body.trim().slice(0, 200) || 'no message';
}
