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

/** The field manager the syncer's writes are recorded under. */
export const FIELD_MANAGER = 'mcs-bridge-syncer';

/** What the executor needs of one member cluster. */
export interface ExecutionTarget {
  client: ClusterClient;
  /** The cached Service an update starts from. */
  cachedService(namespace: string, name: string): V1Service | undefined;
}

/** Called after each successful write (for propagation-latency metrics and logs). */
export type WriteListener = (action: Action) => void;

/**
 * What became of an action. `stale`: the API server answered 409 — the object exists
 * already, or changed since the cache was read. That is not a failure but a cache behind
 * the server (often our own write of a moment ago): the watch event on its way requeues
 * the key, and the next plan starts from the truth.
 */
export interface ExecutedAction extends ActionResult {
  readonly stale?: boolean;
}

/** Runs every action and reports what became of each; never throws. */
export async function executeActions(
  actions: readonly Action[],
  targets: (cluster: string) => ExecutionTarget | undefined,
  onWritten: WriteListener = () => {},
): Promise<ExecutedAction[]> {
  const byCluster = new Map<string, Action[]>();
  for (const a of actions) {
    const list = byCluster.get(a.cluster) ?? [];
    list.push(a);
    byCluster.set(a.cluster, list);
  }
  const results = await Promise.all(
    [...byCluster].map(async ([cluster, list]) => {
      const target = targets(cluster);
      const out: ExecutedAction[] = [];
      for (const action of list) {
        if (!target) {
          out.push({ action, error: `cluster ${cluster} is not known to the syncer any more` });
          continue;
        }
        try {
          await execute(target, action);
          onWritten(action);
          out.push({ action });
        } catch (err) {
          out.push(
            httpCode(err) === 409 ? { action, stale: true } : { action, error: describeApiError(err) },
          );
        }
      }
      return out;
    }),
  );
  return results.flat();
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

async function execute(t: ExecutionTarget, a: Action): Promise<void> {
  const { client } = t;
  const { namespace, name } = a;
  const fieldManager = FIELD_MANAGER;
  switch (a.kind) {
    case 'Namespace':
      // Someone else creating the namespace first is just as good.
      return tolerate(
        409,
        client.call('create', () => client.core.createNamespace({ body: a.object, fieldManager })),
      );
    case 'Service': {
      if (a.verb === 'delete') {
        const body = preconditions(a);
        return tolerate(
          404,
          client.call('delete', () => client.core.deleteNamespacedService({ name, namespace, body })),
        );
      }
      const desired = need(a.object, a);
      if (a.verb === 'create') {
        await client.call('create', () =>
          client.core.createNamespacedService({ namespace, body: desired, fieldManager }),
        );
        return;
      }
      const cached = t.cachedService(namespace, name);
      if (!cached) throw new Error(`Service ${namespace}/${name} is no longer in the cache of ${a.cluster}`);
      const body = serviceForUpdate(cached, desired, a.expected?.resourceVersion);
      await client.call('update', () =>
        client.core.replaceNamespacedService({ name, namespace, body, fieldManager }),
      );
      return;
    }
    case 'EndpointSlice': {
      if (a.verb === 'delete') {
        const body = preconditions(a);
        return tolerate(
          404,
          client.call('delete', () =>
            client.discovery.deleteNamespacedEndpointSlice({ name, namespace, body }),
          ),
        );
      }
      const desired = need(a.object, a);
      if (a.verb === 'create') {
        await client.call('create', () =>
          client.discovery.createNamespacedEndpointSlice({ namespace, body: desired, fieldManager }),
        );
        return;
      }
      const body = {
        ...desired,
        metadata: { ...desired.metadata, resourceVersion: a.expected?.resourceVersion },
      };
      await client.call('update', () =>
        client.discovery.replaceNamespacedEndpointSlice({ name, namespace, body, fieldManager }),
      );
      return;
    }
  }
}

function need<T>(object: T | undefined, a: Action): T {
  if (!object) throw new Error(`planned ${a.verb} of ${a.kind} ${a.namespace}/${a.name} carries no object`);
  return object;
}
