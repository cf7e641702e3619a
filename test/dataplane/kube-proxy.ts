/**
 * member2's kube-proxy: its configuration file (pure) and where it listens. It runs inside
 * member2's node namespace, so every nftables rule it writes lives and dies with that
 * namespace, and its health and metrics ports can never clash with another sandbox's.
 */
import type { NodeTopology } from './topology.ts';

/** Inside the node namespace: kube-proxy's default healthz port, free there by construction. */
export const KUBE_PROXY_HEALTHZ = '127.0.0.1:10256';
/** Inside the node namespace: kube-proxy's default metrics port. */
export const KUBE_PROXY_METRICS = '127.0.0.1:10249';

/**
 * The KubeProxyConfiguration for a member's node. nftables mode, because its rules sit in
 * one table of kube-proxy's own (`ip kube-proxy`), need only the `nft` tool, and go away
 * with the namespace; iptables mode would also want the iptables tools and kernel's legacy
 * tables. Every setting that would write a machine-wide knob is turned off: conntrack's
 * table size and hash size (`nf_conntrack_max`, `/sys/module/nf_conntrack/parameters/hashsize`)
 * are global, not per namespace.
 */
export function kubeProxyConfig(node: NodeTopology, nodeName: string, kubeconfig: string): object {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig, qps: 50, burst: 100 },
    hostnameOverride: nodeName,
    mode: 'nftables',
    // Traffic from this member's own pods is local; anything else to a Service is masqueraded.
    clusterCIDR: node.podCIDR,
    detectLocalMode: 'ClusterCIDR',
    healthzBindAddress: KUBE_PROXY_HEALTHZ,
    metricsBindAddress: KUBE_PROXY_METRICS,
    // 0 = leave the kernel's values alone (see above).
    conntrack: {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
    },
    // A change to a Service's endpoints reaches the rules within a second (the default
    // minSyncPeriod), as on a real node; the full resync is the default 30 s.
    nftables: { minSyncPeriod: '1s', syncPeriod: '30s' },
    logging: { verbosity: 2 },
  };
}

/** The argv (without the binary) kube-proxy is started with. */
export function kubeProxyArgs(configFile: string): string[] {
  return [`--config=${configFile}`];
}
