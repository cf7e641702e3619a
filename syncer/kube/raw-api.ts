/**
 * Plain JSON requests to an API server, authenticated by the same KubeConfig (and the
 * same pooled connections) as client-node's typed clients, but without their model
 * layer. Profiling the syncer at 1,000 MCS showed client-node's ObjectSerializer
 * (serialize, deserialize, findCorrectType) as its largest JavaScript cost, and typed
 * lists turn every timestamp into a Date the cache then has to undo. The syncer's hot
 * paths — the lists behind its caches and its writes — go through here instead.
 */
import https from 'node:https';
import {
  ApiException,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';

/** Options of one request. */
export interface RawRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path with no query, e.g. `/apis/discovery.k8s.io/v1/namespaces/default/endpointslices`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** Content type of the body (default application/json; merge patches need theirs). */
  contentType?: string;
  timeoutMs?: number;
}

/** Sends one request; resolves with the parsed JSON answer, rejects with an ApiException on HTTP errors. */
export async function rawRequest<T>(kc: KubeConfig, r: RawRequest): Promise<T> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + r.path);
  for (const [k, v] of Object.entries(r.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const opts: https.RequestOptions = { method: r.method, headers: { accept: 'application/json' } };
  await kc.applyToHTTPSOptions(opts);
  const payload = r.body === undefined ? undefined : Buffer.from(JSON.stringify(r.body));
  if (payload) {
    opts.headers = {
      ...opts.headers,
      'content-type': r.contentType ?? 'application/json',
      'content-length': payload.length,
    };
  }
  return new Promise<T>((resolve, reject) => {
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
        try {
          resolve((text ? JSON.parse(text) : undefined) as T);
        } catch (err) {
          reject(
            new Error(
              `${r.method} ${r.path}: the API server's answer is not JSON: ${(err as Error).message}`,
            ),
          );
        }
      });
    });
    req.setTimeout(r.timeoutMs ?? 60_000, () => req.destroy(new Error(`${r.method} ${r.path} timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/**
 * Lists a collection page by page (so no single answer holds it all), passing every item
 * through `transform` as it arrives. Restarts once from the top if the continue token
 * expired (HTTP 410) between pages.
 */
export async function rawList<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  opts: { labelSelector?: string; pageSize?: number; transform?: (o: T) => T } = {},
): Promise<KubernetesListObject<T>> {
  for (let attempt = 0; ; attempt++) {
    const items: T[] = [];
    let resourceVersion: string | undefined;
    let token: string | undefined;
    try {
      do {
        const page = await rawRequest<KubernetesListObject<T>>(kc, {
          method: 'GET',
          path,
          query: { labelSelector: opts.labelSelector, limit: opts.pageSize ?? 500, continue: token },
        });
        resourceVersion ??= page.metadata?.resourceVersion;
        for (const item of page.items) items.push(opts.transform ? opts.transform(item) : item);
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
