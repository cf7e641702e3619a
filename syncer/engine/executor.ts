/**
 * Carries out a plan's actions: in order within a cluster, clusters in parallel. Every
 * update and delete is guarded by the cached object's resourceVersion or uid, so an object
 * someone changed since the cache was read is never overwritten or deleted blindly. When the
 * API server refuses a write because the object is not as the cache said (409), the object is
 * read from the server and judged by its ownership label (docs/architecture.md § Writes):
 * - ours (our own earlier write, not yet in the cache): the write is made again at once from
 *   the server's version — the cache catching up would cost a round trip through the queue;
 * - not ours (a same-named object someone else made, e.g. a slice without the service-name
 *   label, which no cache of ours holds): it is left alone and reported as a conflict;
 * - gone: the action is stale, and the key is retried with backoff.
 */
import type { V1DeleteOptions, V1Service } from '@kubernetes/client-node';
import { describeApiError, httpCode, retryAfterMs } from '../../lib/kube-errors.ts';
import { MULTICLUSTER_API_VERSION } from '../api/multicluster.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import { isOwnedImport } from '../mcs-api/backing.ts';
import type { Action } from '../plan/actions.ts';
import { isOwnedService } from '../plan/service.ts';
import { isOwnedSlice } from '../plan/slices.ts';
import type { ActionResult } from '../plan/status.ts';
import { serviceForUpdate } from './service-update.ts';
import type { WriteLanes } from './write-lanes.ts';

/** The field manager the syncer's writes are recorded under. */
export const FIELD_MANAGER = 'mcs-bridge-syncer';

/** What the executor needs of one member cluster. */
export interface ExecutionTarget {
  client: Pick<KubeClient, 'request' | 'write'>;
  /** The cached Service an update starts from. */
  cachedService(namespace: string, name: string): V1Service | undefined;
}

/**
 * Told about each write: `sending` before the request goes out, `answered` once it is
 * answered — with the resourceVersion it left the object at, `'deleted'`, `'failed'`, or
 * undefined when it changed nothing we could see an event of (a delete answered 404, a
 * namespace someone else made). Only a version or `'deleted'` is an echo to expect.
 */
export interface WriteHooks {
  sending?: (action: Action) => void;
  answered?: (action: Action, outcome: string | 'deleted' | 'failed' | undefined) => void;
}

/**
 * What became of an action. `stale`: the object changed or went away under the write and could
 * not be written from the server's version either: the key is retried with backoff, and the
 * next plan starts from the truth. `pending`: its cluster is slow and the write goes on in the
 * background (see write-lanes.ts); its end requeues the key.
 */
export interface ExecutedAction extends ActionResult {
  readonly stale?: boolean;
  readonly pending?: boolean;
  /** A failed write's Retry-After (ms), when the server sent one (a 429, a 503). */
  readonly retryAfterMs?: number;
}

/** Runs every action and reports what became of each; never throws. */
export async function executeActions(
  actions: readonly Action[],
  targets: (cluster: string) => ExecutionTarget | undefined,
  hooks: WriteHooks = {},
  lanes?: { lanes: WriteLanes; key: string },
): Promise<ExecutedAction[]> {
  const byCluster = new Map<string, Action[]>();
  for (const a of actions) {
    const list = byCluster.get(a.cluster) ?? [];
    list.push(a);
    byCluster.set(a.cluster, list);
  }
  const results = await Promise.all(
    [...byCluster].map(async ([cluster, list]) => {
      const chain = () => executeChain(cluster, list, targets(cluster), hooks);
      if (!lanes) return chain();
      const outcome = await lanes.lanes.run(cluster, lanes.key, chain);
      return outcome.done ? outcome.results : list.map((action) => ({ action, pending: true }));
    }),
  );
  return results.flat();
}

/** Thrown inside the executor when the object changed or vanished under a write. */
class StaleError extends Error {}

/** What one write came to: the echo to expect, or a conflict with someone else's object. */
interface Outcome {
  echo?: string;
  conflict?: string;
}

/** One cluster's actions, in order. */
async function executeChain(
  cluster: string,
  list: readonly Action[],
  target: ExecutionTarget | undefined,
  hooks: WriteHooks,
): Promise<ExecutedAction[]> {
  const out: ExecutedAction[] = [];
  for (const action of list) {
    if (!target) {
      out.push({ action, error: `cluster ${cluster} is not known to the syncer any more` });
      continue;
    }
    hooks.sending?.(action);
    try {
      const outcome = await execute(target, action);
      hooks.answered?.(action, outcome.conflict !== undefined ? 'failed' : outcome.echo);
      out.push(outcome.conflict !== undefined ? { action, conflict: outcome.conflict } : { action });
    } catch (err) {
      hooks.answered?.(action, 'failed');
      const stale = err instanceof StaleError || httpCode(err) === 409 || httpCode(err) === 404;
      const wait = retryAfterMs(err);
      if (stale) out.push({ action, stale: true });
      else
        out.push({
          action,
          error: describeApiError(err),
          ...(wait !== undefined ? { retryAfterMs: wait } : {}),
        });
    }
  }
  return out;
}

/** The collection path of a kind in a namespace (and the object's path when named). */
function pathOf(a: Action, named: boolean): string {
  const tail = named ? `/${encodeURIComponent(a.name)}` : '';
  switch (a.kind) {
    case 'Namespace':
      return `/api/v1/namespaces${tail}`;
    case 'Service':
      return `/api/v1/namespaces/${encodeURIComponent(a.namespace)}/services${tail}`;
    case 'EndpointSlice':
      return `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(a.namespace)}/endpointslices${tail}`;
    case 'ServiceImport':
      return `/apis/${MULTICLUSTER_API_VERSION}/namespaces/${encodeURIComponent(a.namespace)}/serviceimports${tail}`;
    case 'ServiceExport':
      // Only its conditions are ever written: the status subresource.
      return `/apis/${MULTICLUSTER_API_VERSION}/namespaces/${encodeURIComponent(a.namespace)}/serviceexports${tail}${named ? '/status' : ''}`;
  }
}

type Meta = { metadata?: { resourceVersion?: string; uid?: string; labels?: Record<string, string> } };

const versionOf = (o: unknown) => (o as Meta | undefined)?.metadata?.resourceVersion;

function describeRef(a: Action): string {
  const ref = a.kind === 'Namespace' ? a.name : `${a.namespace}/${a.name}`;
  return `${a.kind} ${ref} in ${a.cluster}`;
}

/** The object as the API server has it now, or undefined when it is gone. */
async function current(t: ExecutionTarget, a: Action): Promise<Meta | undefined> {
  try {
    return await t.client.request<Meta>('get', { method: 'GET', path: pathOf(a, true) });
  } catch (err) {
    if (httpCode(err) === 404) return undefined;
    throw err;
  }
}

function isOurs(a: Action, o: Meta): boolean {
  if (a.kind === 'Service') return isOwnedService(o as V1Service);
  if (a.kind === 'EndpointSlice') return isOwnedSlice(o as never);
  if (a.kind === 'ServiceImport') return isOwnedImport(o as never);
  return false;
}

function conflictWith(a: Action): Outcome {
  return { conflict: `${describeRef(a)} exists and is not managed by mcs-bridge: it was left unchanged` };
}

/** Makes one write; a 409 is judged against the object as the server has it (see the header). */
async function execute(t: ExecutionTarget, a: Action): Promise<Outcome> {
  if (a.verb === 'delete') return remove(t, a);
  const desired = need(a.object, a);
  if (a.verb === 'create') {
    try {
      const created = await t.client.write('create', {
        method: 'POST',
        path: pathOf(a, false),
        query: { fieldManager: FIELD_MANAGER },
        body: desired,
      });
      return { echo: versionOf(created) };
    } catch (err) {
      if (httpCode(err) !== 409) throw err;
      // A namespace someone else created is just as good; there is no echo of ours to expect.
      if (a.kind === 'Namespace') return {};
      return adopt(t, a);
    }
  }
  let body: unknown;
  if (a.kind === 'Service') {
    const cached = t.cachedService(a.namespace, a.name);
    if (!cached)
      throw new StaleError(`Service ${a.namespace}/${a.name} is no longer in the cache of ${a.cluster}`);
    body = serviceForUpdate(cached, desired as V1Service, a.expected?.resourceVersion);
  } else {
    body = {
      ...desired,
      metadata: { ...(desired as Meta).metadata, resourceVersion: a.expected?.resourceVersion },
    };
  }
  try {
    return { echo: await put(t, a, body) };
  } catch (err) {
    if (httpCode(err) !== 409) throw err;
    // A user's ServiceExport changed meanwhile: its conditions are planned again from it.
    if (a.kind === 'ServiceExport') throw new StaleError(`${describeRef(a)} changed meanwhile`);
    return adopt(t, a);
  }
}

/** The object is there but not as the cache had it: write ours over it from its version, if it is ours. */
async function adopt(t: ExecutionTarget, a: Action): Promise<Outcome> {
  const found = await current(t, a);
  if (!found) throw new StaleError(`${describeRef(a)} went away meanwhile`);
  if (!isOurs(a, found)) return conflictWith(a);
  const desired = need(a.object, a);
  const version = found.metadata?.resourceVersion;
  const body =
    a.kind === 'Service'
      ? serviceForUpdate(found as V1Service, desired as V1Service, version)
      : { ...desired, metadata: { ...(desired as Meta).metadata, resourceVersion: version } };
  return { echo: await put(t, a, body) };
}

async function put(t: ExecutionTarget, a: Action, body: unknown): Promise<string | undefined> {
  return versionOf(
    await t.client.write('update', {
      method: 'PUT',
      path: pathOf(a, true),
      query: { fieldManager: FIELD_MANAGER },
      body,
    }),
  );
}

/** Deletes our copy; already gone is as good, and records no echo. */
async function remove(t: ExecutionTarget, a: Action): Promise<Outcome> {
  const preconditions = (e: { uid?: string; resourceVersion?: string } | undefined): V1DeleteOptions => {
    const p: { uid?: string; resourceVersion?: string } = {};
    if (e?.uid) p.uid = e.uid;
    if (e?.resourceVersion) p.resourceVersion = e.resourceVersion;
    return { preconditions: p };
  };
  const del = (body: V1DeleteOptions) =>
    t.client.write('delete', { method: 'DELETE', path: pathOf(a, true), body });
  try {
    await del(preconditions(a.expected));
    return { echo: 'deleted' };
  } catch (err) {
    const code = httpCode(err);
    if (code === 404) return {};
    if (code !== 409) throw err;
  }
  // The copy changed since the cache was read: delete it still if it is ours, as it is now.
  const found = await current(t, a);
  if (!found || !isOurs(a, found)) return {};
  try {
    await del(preconditions(found.metadata));
    return { echo: 'deleted' };
  } catch (err) {
    if (httpCode(err) === 404) return {};
    throw err;
  }
}

function need<T>(object: T | undefined, a: Action): T {
  if (!object) throw new Error(`planned ${a.verb} of ${a.kind} ${a.namespace}/${a.name} carries no object`);
  return object;
}
