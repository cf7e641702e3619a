/**
 * The {@link LeaseClient} of the leader elector, on coordination.k8s.io/v1.
 */
import type { V1Lease } from '@kubernetes/client-node';
import { httpCode } from '../../lib/kube-errors.ts';
import type { LeaseClient } from '../engine/leader.ts';
import type { ClusterClient } from './cluster-client.ts';

/** Lease calls for one Lease `namespace/name` in the hub. */
export function leaseClient(hub: ClusterClient, namespace: string, name: string): LeaseClient {
  const api = hub.coordination;
  return {
    async get() {
      try {
        return await hub.call('get', () => api.readNamespacedLease({ name, namespace }));
      } catch (err) {
        if (httpCode(err) === 404) return undefined;
        throw err;
      }
    },
    create: (lease) =>
      hub.call('create', () =>
        api.createNamespacedLease({
          namespace,
          body: { ...lease, metadata: { ...lease.metadata, name, namespace } },
        }),
      ),
    replace: (lease: V1Lease) =>
      hub.call('update', () => api.replaceNamespacedLease({ name, namespace, body: lease })),
  };
}
