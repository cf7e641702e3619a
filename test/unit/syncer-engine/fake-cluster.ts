/**
 * A fake API server of one cluster, behind the two calls the engine makes (`request`, `write`):
 * it keeps objects by path with uids and resourceVersions, enforces the preconditions the real
 * one enforces (a PUT's resourceVersion, a DELETE's uid and resourceVersion, a POST of a name
 * that exists), answers with the real HTTP codes, and logs every request as
 * `PUT /apis/…/name rv=5`, so tests assert the exact requests, as sample-controller's do.
 */
import { ApiException } from '@kubernetes/client-node';
import type { RawRequest } from '../../../syncer/kube/raw-api.ts';

type Obj = { metadata?: { name?: string; uid?: string; resourceVersion?: string } };

/** An API error as the API server sends it (a Status body with reason and message). */
export function apiError(code: number, reason: string, message = reason): ApiException<string> {
  const body = JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message });
  return new ApiException(code, `HTTP-Code: ${code}\nBody: ${body}`, body, {});
}

/** The fake; `requests` lists every request in order. */
export class FakeCluster {
  readonly requests: string[] = [];
  private readonly objects = new Map<string, Obj>();
  private rv = 100;
  private uid = 0;
  /** Scripted answers that win over the store, by `METHOD path`, used once each. */
  private readonly scripted = new Map<string, Array<Error | (() => void)>>();

  constructor(readonly name = 'member2') {}

  /** Puts an object at `path` (the object's own path), as if someone created it; returns it. */
  seed<T extends Obj & object>(path: string, o: T): T {
    const stored = {
      ...structuredClone(o),
      metadata: { ...o.metadata, uid: `uid-${++this.uid}`, resourceVersion: String(++this.rv) },
    } as T;
    this.objects.set(path, stored);
    return structuredClone(stored);
  }

  /** The object at `path`, as stored. */
  get(path: string): Obj | undefined {
    const o = this.objects.get(path);
    return o && structuredClone(o);
  }

  /** The next request `METHOD path` fails with `err`, or runs `before` first (e.g. to change the store). */
  script(method: string, path: string, answer: Error | (() => void)): void {
    const key = `${method} ${path}`;
    this.scripted.set(key, [...(this.scripted.get(key) ?? []), answer]);
  }

  request<T>(_verb: string, r: RawRequest): Promise<T> {
    return this.handle<T>(r);
  }

  write<T>(_verb: string, r: RawRequest): Promise<T> {
    return this.handle<T>(r);
  }

  private async handle<T>(r: RawRequest): Promise<T> {
    const body = r.body as Obj & { preconditions?: { uid?: string; resourceVersion?: string } };
    const rv = r.method === 'PUT' ? ` rv=${body.metadata?.resourceVersion ?? ''}` : '';
    const pre =
      r.method === 'DELETE' && body?.preconditions
        ? ` if uid=${body.preconditions.uid ?? ''} rv=${body.preconditions.resourceVersion ?? ''}`
        : '';
    const name = r.method === 'POST' ? ` ${body.metadata?.name}` : '';
    this.requests.push(`${r.method} ${r.path}${name}${rv}${pre}`);
    const queue = this.scripted.get(`${r.method} ${r.path}`);
    const next = queue?.shift();
    if (next instanceof Error) throw next;
    next?.();
    switch (r.method) {
      case 'GET': {
        const o = this.objects.get(r.path);
        if (!o) throw apiError(404, 'NotFound');
        return structuredClone(o) as T;
      }
      case 'POST': {
        const path = `${r.path}/${body.metadata?.name}`;
        if (this.objects.has(path))
          throw apiError(409, 'AlreadyExists', `${body.metadata?.name} already exists`);
        return this.seed(path, body) as T;
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
        const stored = {
          ...structuredClone(body),
          metadata: { ...body.metadata, uid: old.metadata?.uid, resourceVersion: String(++this.rv) },
        };
        this.objects.set(r.path, stored);
        return structuredClone(stored) as T;
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
        this.objects.delete(r.path);
        return { kind: 'Status', status: 'Success' } as T;
      }
      default:
        throw new Error(`the fake does not serve ${r.method}`);
    }
  }
}
