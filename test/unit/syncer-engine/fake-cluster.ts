/**
 * A fake API server of one cluster behind the engine's {@link KubeClient}: it keeps objects by
 * path with uids and resourceVersions, enforces the preconditions the real one enforces (a
 * PUT's resourceVersion, a DELETE's uid and resourceVersion, a POST of a name that exists, a
 * merge patch's resourceVersion), lists and watches collections (events delivered after the
 * write's answer, as over a real connection), and logs every request as
 * `PUT /apis/…/name rv=5`, so tests assert the exact requests, as sample-controller's do.
 */
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node';
import type { Timers } from '../../../lib/timers.ts';
import type { KubeClient } from '../../../syncer/kube/cluster-client.ts';
import type { RawRequest, RawWatchEvent } from '../../../syncer/kube/raw-api.ts';

type Meta = {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
};
type Obj = { metadata?: Meta };

/** An API error as the API server sends it (a Status body with reason and message). */
export function apiError(code: number, reason: string, message = reason): ApiException<string> {
  const body = JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message });
  return new ApiException(code, `HTTP-Code: ${code}\nBody: ${body}`, body, {});
}

/** Whether the object at `path` is in the collection `collection` (all namespaces, or one: `/api/v1/namespaces/ns/services`). */
function inCollection(path: string, collection: string): boolean {
  if (collectionOf(path) === collection) return true;
  const i = path.lastIndexOf('/');
  return collection.includes('/namespaces/') && path.slice(0, i) === collection;
}

/** The collection an object path belongs to, for matching lists and watches (`/api/v1/services`). */
function collectionOf(path: string): string {
  const parts = path.split('/');
  const i = parts.indexOf('namespaces');
  // /api/v1/namespaces/ns/services/name → /api/v1/services; /api/v1/namespaces/name → /api/v1/namespaces
  if (i >= 0 && parts.length > i + 3) return [...parts.slice(0, i), parts[i + 2]].join('/');
  return parts.slice(0, -1).join('/');
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

interface Watcher {
  collection: string;
  selector?: string;
  onEvent: (e: RawWatchEvent) => void;
}

/** The fake; `requests` lists every request in order (lists and watches too). */
export class FakeCluster implements KubeClient {
  readonly requests: string[] = [];
  private readonly objects = new Map<string, Obj>();
  private rv = 100;
  private uid = 0;
  private readonly watchers = new Set<Watcher>();
  /** Scripted answers that win over the store, by `METHOD path`, used once each. */
  private readonly scripted = new Map<string, Array<Error | (() => void) | 'hang'>>();

  /** When set, no request gets an answer (a connection that accepts and stays silent). */
  silent = false;

  /** The timers a request's own bound (`timeoutMs`) runs on: fake ones make time the test's. */
  timers: Timers = {
    setTimeout: (fn, ms) => setTimeout(fn, ms),
    clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  };

  constructor(readonly name = 'member2') {}

  /** Puts an object at `path` (its own path), as someone else writing it would; returns it as stored. */
  seed<T extends Obj & object>(path: string, o: T, quietly = false): T {
    const existed = this.objects.has(path);
    const old = this.objects.get(path);
    const stored = {
      ...structuredClone(o),
      metadata: {
        ...o.metadata,
        uid: old?.metadata?.uid ?? `uid-${++this.uid}`,
        resourceVersion: String(++this.rv),
      },
    } as T;
    this.objects.set(path, stored);
    if (!quietly) this.notify(path, existed ? 'MODIFIED' : 'ADDED', stored);
    return structuredClone(stored);
  }

  /** Removes the object at `path`, as someone else deleting it would. */
  remove(path: string): void {
    const old = this.objects.get(path);
    if (!old) return;
    this.objects.delete(path);
    this.notify(path, 'DELETED', {
      ...old,
      metadata: { ...old.metadata, resourceVersion: String(++this.rv) },
    });
  }

  /** The object at `path`, as stored. */
  get(path: string): Obj | undefined {
    const o = this.objects.get(path);
    return o && structuredClone(o);
  }

  /** The objects stored under the collection path `prefix` (e.g. a namespace's Events), as stored. */
  under(prefix: string): Obj[] {
    return [...this.objects].filter(([p]) => p.startsWith(`${prefix}/`)).map(([, o]) => structuredClone(o));
  }

  /** The requests that change something (POST, PUT, PATCH, DELETE). */
  get writes(): string[] {
    return this.requests.filter((r) => /^(POST|PUT|PATCH|DELETE) /.test(r));
  }

  /**
   * The next request `METHOD path` fails with `err`, never answers (`'hang'`), or runs `before`
   * first (e.g. to change the store under it).
   */
  script(method: string, path: string, answer: Error | (() => void) | 'hang'): void {
    const key = `${method} ${path}`;
    this.scripted.set(key, [...(this.scripted.get(key) ?? []), answer]);
  }

  request<T>(_verb: string, r: RawRequest): Promise<T> {
    return this.handle<T>(r);
  }

  write<T>(_verb: string, r: RawRequest): Promise<T> {
    return this.handle<T>(r);
  }

  async list<T extends KubernetesObject>(
    path: string,
    transform: (o: T) => T,
    labelSelector?: string,
    signal?: AbortSignal,
  ): Promise<KubernetesListObject<T>> {
    this.requests.push(`LIST ${path}`);
    const next = this.scripted.get(`LIST ${path}`)?.shift();
    if (next === 'hang' || this.silent)
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)));
    if (next instanceof Error) throw next;
    const items = [...this.objects]
      .filter(([p, o]) => inCollection(p, path) && matches(o, labelSelector))
      .map(([, o]) => transform(structuredClone(o) as T));
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv) }, items };
  }

  watch(
    path: string,
    query: { resourceVersion: string; labelSelector?: string },
    onEvent: (e: RawWatchEvent) => void,
    onOpen: () => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.requests.push(`WATCH ${path} from ${query.resourceVersion}`);
    const next = this.scripted.get(`WATCH ${path}`)?.shift();
    if (next instanceof Error) return Promise.reject(next);
    return new Promise((_, reject) => {
      const watcher: Watcher = { collection: path, selector: query.labelSelector, onEvent };
      if (next !== 'hang' && !this.silent) {
        this.watchers.add(watcher);
        onOpen();
      }
      signal.addEventListener('abort', () => {
        this.watchers.delete(watcher);
        reject(signal.reason);
      });
    });
  }

  private notify(path: string, type: string, o: Obj): void {
    const object = structuredClone(o);
    for (const w of this.watchers) {
      if (!inCollection(path, w.collection) || !matches(o, w.selector)) continue;
      // After the write's answer, as over a connection.
      setImmediate(() => {
        if (this.watchers.has(w)) w.onEvent({ type, object });
      });
    }
  }

  private async handle<T>(r: RawRequest): Promise<T> {
    const body = r.body as Obj & { preconditions?: { uid?: string; resourceVersion?: string } };
    const rv = r.method === 'PUT' ? ` rv=${body.metadata?.resourceVersion ?? ''}` : '';
    const pre =
      r.method === 'DELETE' && body?.preconditions
        ? ` if uid=${body.preconditions.uid ?? ''} rv=${body.preconditions.resourceVersion ?? ''}`
        : '';
    const name = r.method === 'POST' ? ` ${body.metadata?.name ?? body.metadata?.generateName ?? ''}` : '';
    this.requests.push(`${r.method} ${r.path}${name}${rv}${pre}`);
    const next = this.scripted.get(`${r.method} ${r.path}`)?.shift();
    if (next === 'hang' || this.silent) {
      // No answer: like a silent connection, until the request's own bound gives up.
      return new Promise((_, reject) => {
        r.signal?.addEventListener('abort', () => reject(r.signal?.reason));
        if (r.timeoutMs !== undefined)
          this.timers.setTimeout(
            () => reject(new Error(`${r.method} ${r.path}: no answer within ${r.timeoutMs} ms`)),
            r.timeoutMs,
          );
      });
    }
    if (next instanceof Error) throw next;
    next?.();
    switch (r.method) {
      case 'GET': {
        if (r.path === '/readyz') return 'ok' as T;
        const o = this.objects.get(r.path);
        if (!o) throw apiError(404, 'NotFound');
        return structuredClone(o) as T;
      }
      case 'POST': {
        const objectName = body.metadata?.name ?? `${body.metadata?.generateName ?? ''}${this.rv + 1}`;
        const path = `${r.path}/${objectName}`;
        if (this.objects.has(path)) throw apiError(409, 'AlreadyExists', `${objectName} already exists`);
        return this.seed(path, { ...body, metadata: { ...body.metadata, name: objectName } }) as T;
      }
      case 'PUT': {
        const old = this.objects.get(r.path);
        if (!old) throw apiError(404, 'NotFound');
        if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== old.metadata?.resourceVersion)
          throw apiError(
            409,
            'Conflict',
            'the object has been modified; please apply your changes to the latest version',
          );
        return this.seed(r.path, body) as T;
      }
      case 'PATCH': {
        const path = r.path.replace(/\/status$/, '');
        const old = this.objects.get(path);
        if (!old) throw apiError(404, 'NotFound');
        const want = body.metadata?.resourceVersion;
        if (want && want !== old.metadata?.resourceVersion) throw apiError(409, 'Conflict', 'Conflict');
        const patch = structuredClone(body);
        if (patch.metadata) delete patch.metadata.resourceVersion;
        return this.seed(path, mergePatch(old, patch) as Obj) as T;
      }
      case 'DELETE': {
        const old = this.objects.get(r.path);
        if (!old) throw apiError(404, 'NotFound');
        const p = body?.preconditions ?? {};
        if (
          (p.uid && p.uid !== old.metadata?.uid) ||
          (p.resourceVersion && p.resourceVersion !== old.metadata?.resourceVersion)
        )
          throw apiError(409, 'Conflict', 'Precondition failed');
        this.remove(r.path);
        return { kind: 'Status', status: 'Success' } as T;
      }
      default:
        throw new Error(`the fake does not serve ${r.method}`);
    }
  }
}

/** Whether `o` matches a label selector of the forms `key` and `key=value`. */
function matches(o: Obj, selector: string | undefined): boolean {
  if (!selector) return true;
  return selector.split(',').every((term) => {
    const [key = '', value] = term.split('=');
    const have = o.metadata?.labels?.[key];
    return value === undefined ? have !== undefined : have === value;
  });
}
