/**
 * Carries out a plan's actions: in order within a cluster, clusters in parallel. Every
 * update and delete is guarded by the cached object's resourceVersion or uid, so an
 * object someone changed since the cache was read is never overwritten or deleted; a
 * conflict only fails the action, and the reconcile runs again.
 */
import type { V1DeleteOptions, V1Service } from '@kubernetes/client-node';
import { describeApiError, httpCode } from '../../lib/kube-errors.ts';
import type { ClusterClient } from '../kube/cluster-client.ts';
import type { Action } from '../plan/actions.ts';
import type { ActionResult } from '../plan/status.ts';
import { serviceForUpdate } from './service-update.ts';
import type { WriteLanes } from './write-lanes.ts';

/** The field manager the syncer's writes are recorded under. */
export const FIELD_MANAGER = 'mcs-bridge-syncer';

/** What the executor needs of one member cluster. */
export interface ExecutionTarget {
  client: ClusterClient;
  /** The cached Service an update starts from. */
  cachedService(namespace: string, name: string): V1Service | undefined;
}

/**
 * Told about each write: `sending` before the request goes out, `answered` once it is
 * answered — with the resourceVersion it left the object at, `'deleted'`, or `'failed'`.
 * (Echo suppression needs both ends; metrics and logs use the answer.)
 */
export interface WriteHooks {
  sending?: (action: Action) => void;
  answered?: (action: Action, outcome: string | 'deleted' | 'failed' | undefined) => void;
}

/**
 * What became of an action. `stale`: the API server answered 409 — the object exists
 * already, or changed since the cache was read. That is not a failure but a cache behind
 * the server (often our own write of a moment ago): the watch event on its way requeues
 * the key, and the next plan starts from the truth. `pending`: its cluster is slow and the
 * write goes on in the background (see write-lanes.ts); its end requeues the key.
 */
export interface ExecutedAction extends ActionResult {
  readonly stale?: boolean;
  readonly pending?: boolean;
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
      const version = await execute(target, action);
      hooks.answered?.(action, action.verb === 'delete' ? 'deleted' : version);
      out.push({ action });
    } catch (err) {
      hooks.answered?.(action, 'failed');
      out.push(httpCode(err) === 409 ? { action, stale: true } : { action, error: describeApiError(err) });
    }
  }
  return out;
}

function preconditions(a: Action): V1DeleteOptions {
  const p: { uid?: string; resourceVersion?: string } = {};
  if (a.expected?.uid) p.uid = a.expected.uid;
  if (a.expected?.resourceVersion) p.resourceVersion = a.expected.resourceVersion;
  return { preconditions: p };
}

/** Succeeds when the error is the given HTTP code (AlreadyExists on a create, NotFound on a delete). */
async function tolerate(code: number, request: Promise<unknown>): Promise<void> {
  try {
    await request;
  } catch (err) {
    if (httpCode(err) !== code) throw err;
  }
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
  }
}

/** Makes one write; resolves with the resourceVersion it left the object at. */
async function execute(t: ExecutionTarget, a: Action): Promise<string | undefined> {
  const { client } = t;
  const query = { fieldManager: FIELD_MANAGER };
  const versionOf = (o: unknown) =>
    (o as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion;
  if (a.verb === 'delete') {
    const body = preconditions(a);
    // Already gone is as good as deleted.
    await tolerate(404, client.request('delete', { method: 'DELETE', path: pathOf(a, true), body }));
    return undefined;
  }
  const desired = need(a.object, a);
  if (a.verb === 'create') {
    const create = client.request('create', { method: 'POST', path: pathOf(a, false), query, body: desired });
    // Someone else creating the namespace first is just as good.
    if (a.kind === 'Namespace') {
      await tolerate(409, create);
      return undefined;
    }
    return versionOf(await create);
  }
  let body: unknown;
  if (a.kind === 'Service') {
    const cached = t.cachedService(a.namespace, a.name);
    if (!cached)
      throw new Error(`Service ${a.namespace}/${a.name} is no longer in the cache of ${a.cluster}`);
    body = serviceForUpdate(cached, desired as V1Service, a.expected?.resourceVersion);
  } else {
    body = { ...desired, metadata: { ...desired.metadata, resourceVersion: a.expected?.resourceVersion } };
  }
  return versionOf(await client.request('update', { method: 'PUT', path: pathOf(a, true), query, body }));
}

function need<T>(object: T | undefined, a: Action): T {
  if (!object) throw new Error(`planned ${a.verb} of ${a.kind} ${a.namespace}/${a.name} carries no object`);
  return object;
}
