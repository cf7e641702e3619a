/**
 * The API reads behind the webhook's lookup warnings, with @kubernetes/client-node. Loaded by
 * main.ts only when a kubeconfig or in-cluster config is given.
 */
import { ApiException, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { abortWith } from '../../lib/kube-abort.ts';
import { reuseConnections } from '../../lib/kube-connections.ts';
import { describeApiError } from '../../lib/kube-errors.ts';
import { kubeconfigErrorMessage } from '../../lib/log-redaction.ts';
import type { ClusterDirectory, ServiceLookup } from './lookups.ts';

/** Reads Services on the hub with one GET each. */
export function kubeServiceLookup(kc: KubeConfig): ServiceLookup {
  const core = kc.makeApiClient(CoreV1Api);
  return {
    async serviceExists(namespace, name, signal) {
      try {
        await core.readNamespacedService({ namespace, name }, abortWith(signal));
        return true;
      } catch (err) {
        if (err instanceof ApiException && err.code === 404) return false;
        throw new Error(`failed to read Service ${namespace}/${name}: ${describeApiError(err)}`);
      }
    },
  };
}

/** Lists Karmada's Cluster objects (`cluster.karmada.io/v1alpha1`) on the hub. */
export function karmadaClusterDirectory(kc: KubeConfig): ClusterDirectory {
  const custom = kc.makeApiClient(CustomObjectsApi);
  return {
    async clusterNames(signal) {
      try {
        const list = (await custom.listClusterCustomObject(
          { group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters' },
          abortWith(signal),
        )) as { items?: { metadata?: { name?: string } }[] };
        return new Set((list.items ?? []).flatMap((c) => (c.metadata?.name ? [c.metadata.name] : [])));
      } catch (err) {
        throw new Error(`failed to list clusters.cluster.karmada.io: ${describeApiError(err)}`);
      }
    },
  };
}

/** The contexts of a kubeconfig file of member clusters, each context a member. */
export function kubeconfigClusterDirectory(file: string): ClusterDirectory {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
  } catch (err) {
    throw new Error(`failed to load the member kubeconfig ${file}: ${kubeconfigErrorMessage(err)}`);
  }
  const names: ReadonlySet<string> = new Set(kc.getContexts().map((c) => c.name));
  return { clusterNames: async () => names };
}

/** The hub's KubeConfig: from a file, or the in-cluster service account. */
export function hubKubeConfig(source: { kubeconfig?: string; inCluster?: boolean }): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (source.kubeconfig) kc.loadFromFile(source.kubeconfig);
    else kc.loadFromCluster();
  } catch (err) {
    const from = source.kubeconfig ?? 'the in-cluster service account';
    throw new Error(`failed to load the hub kubeconfig from ${from}: ${kubeconfigErrorMessage(err)}`);
  }
  return reuseConnections(kc);
}
