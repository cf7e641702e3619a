/**
 * The Lease calls of leader election (coordination.k8s.io/v1), each bounded by the abort
 * signal the elector passes: a renewal that hangs is given up at the renew deadline.
 */
import type { V1Lease } from '@kubernetes/client-node';
import { httpCode } from '../../lib/kube-errors.ts';
import type { KubeClient } from './cluster-client.ts';

/** The Lease calls the elector makes. */
export interface LeaseClient {
  /** The Lease, or undefined when it does not exist. */
  get(signal: AbortSignal): Promise<V1Lease | undefined>;
  /** Creates the Lease; rejects with a conflict when someone else created it first. */
  create(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
  /** Replaces the Lease; rejects with a conflict when its resourceVersion is stale. */
  replace(lease: V1Lease, signal: AbortSignal): Promise<V1Lease>;
}

/** Lease calls for one Lease `namespace/name` in the hub. Never fenced: they are the election. */
export function leaseClient(hub: KubeClient, namespace: string, name: string): LeaseClient {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const path = `${collection}/${encodeURIComponent(name)}`;
  return {
    async get(signal) {
      try {
        return await hub.request<V1Lease>('get', { method: 'GET', path, signal });
      } catch (err) {
        if (httpCode(err) === 404) return undefined;
        throw err;
      }
    },
    create: (lease, signal) =>
      hub.request<V1Lease>('create', {
        method: 'POST',
        path: collection,
        body: { ...lease, metadata: { ...lease.metadata, name, namespace } },
        signal,
      }),
    replace: (lease, signal) => hub.request<V1Lease>('update', { method: 'PUT', path, body: lease, signal }),
  };
}
