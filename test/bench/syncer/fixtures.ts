/**
 * What the syncer benchmarks write: hub Services and MCS objects, and source slices in a
 * provider written by the benchmark itself (selector-less Services), so that every change
 * starts at an instant the benchmark knows.
 */
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type V1Endpoint,
  type V1EndpointSlice,
} from '@kubernetes/client-node';
import { reuseConnections } from '../../../lib/kube-connections.ts';
import type { ClusterName } from '../../sandbox/layout.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';

/** Label on source slices the floor copier copies. */
export const FLOOR_LABEL = 'bench.mcs-bridge.io/floor';

/** Pooled API clients for one cluster of the sandbox. */
export function clients(sb: Sandbox, cluster: ClusterName) {
  const kc: KubeConfig = reuseConnections(sb.kubeConfig(cluster));
  return {
    kc,
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    discovery: kc.makeApiClient(DiscoveryV1Api),
  };
}

/** Creates a namespace in each cluster (ignores one that exists). */
export async function namespaceEverywhere(
  sb: Sandbox,
  name: string,
  clusters: readonly ClusterName[],
): Promise<void> {
  for (const c of clusters) {
    await clients(sb, c)
      .core.createNamespace({ body: { metadata: { name } } })
      .catch((err: { code?: number }) => {
        if (err.code !== 409) throw err;
      });
  }
}

/** A hub Service without selector, and its MCS from `providers` to `consumers`. */
export async function exportService(
  hub: ReturnType<typeof clients>,
  namespace: string,
  name: string,
  providers: string[],
  consumers: string[],
): Promise<void> {
  await hub.core.createNamespacedService({
    namespace,
    body: { metadata: { name }, spec: { ports: [{ name: 'http', port: 80 }] } },
  });
  await hub.custom.createNamespacedCustomObject({
    group: 'networking.karmada.io',
    version: 'v1alpha1',
    plural: 'multiclusterservices',
    namespace,
    body: {
      apiVersion: 'networking.karmada.io/v1alpha1',
      kind: 'MultiClusterService',
      metadata: { name },
      spec: {
        types: ['CrossCluster'],
        providerClusters: providers.map((n) => ({ name: n })),
        consumerClusters: consumers.map((n) => ({ name: n })),
      },
    },
  });
}

/** `count` ready endpoints, the first of them `first`, the rest from 10.<a>.<b>.x. */
export function endpoints(first: string, count: number, base = '10.10'): V1Endpoint[] {
  const list: V1Endpoint[] = [
    { addresses: [first], conditions: { ready: true, serving: true, terminating: false } },
  ];
  for (let i = 1; i < count; i++) {
    list.push({
      addresses: [`${base}.${200 + Math.floor(i / 250)}.${(i % 250) + 1}`],
      conditions: { ready: true, serving: true, terminating: false },
    });
  }
  return list;
}

/** A source slice for `service` as a custom endpoints controller would write it. */
export function sourceSlice(
  name: string,
  service: string,
  eps: V1Endpoint[],
  floor = false,
): V1EndpointSlice {
  return {
    metadata: {
      name,
      labels: {
        'kubernetes.io/service-name': service,
        'endpointslice.kubernetes.io/managed-by': 'source.bench.mcs-bridge.io',
        ...(floor ? { [FLOOR_LABEL]: 'true' } : {}),
      },
    },
    addressType: 'IPv4',
    endpoints: eps,
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  };
}
