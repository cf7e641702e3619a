/**
 * member2's cluster DNS: CoreDNS with the `kubernetes` plugin serving `cluster.local` from
 * member2's apiserver, and the kube-dns Service that pods resolve through, as kubeadm sets
 * them up. CoreDNS runs on the node's network (like a hostNetwork pod) inside member2's node
 * namespace; the Service has no selector, so its one EndpointSlice is ours and points there.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { NodeTopology } from './topology.ts';

/** Inside the node namespace: where the `ready` plugin answers 200 once the caches synced. */
export const COREDNS_READY = '127.0.0.1:8181';
/** The Service pods resolve through (in kube-system, as everywhere). */
export const DNS_SERVICE = { name: 'kube-dns', namespace: 'kube-system' } as const;
/** Our EndpointSlice of the kube-dns Service. */
export const DNS_SLICE_NAME = `${DNS_SERVICE.name}-dataplane`;
/** managed-by of our slice: the EndpointSlice controller leaves slices it does not manage alone. */
export const DATAPLANE_MANAGER = 'dataplane.mcs-bridge.io';

/** The Multi-Cluster Services API's zone (KEP-1645): `<svc>.<ns>.svc.clusterset.local`. */
export const CLUSTERSET_ZONE = 'clusterset.local';

/**
 * The Corefile. No `cache`: a name must disappear the moment its Service does (the MCS
 * deletion check), and the records' own TTL of 5 s is the only caching. No `forward`: the
 * namespaces have no upstream, so names outside the cluster fail fast instead of timing out.
 * With `clusterset`, the plugin is also authoritative for {@link CLUSTERSET_ZONE} and answers it
 * from ServiceImports and the EndpointSlices labelled `multicluster.kubernetes.io/service-name`
 * (its `multicluster` option); a name there that nothing imports is NXDOMAIN, never passed on.
 */
export function corefile(
  node: NodeTopology,
  kubeconfig: string,
  context: string,
  { clusterset = false }: { clusterset?: boolean } = {},
): string {
  const zones = ['cluster.local', ...(clusterset ? [CLUSTERSET_ZONE] : []), 'in-addr.arpa', 'ip6.arpa'];
  return `.:53 {
    bind ${node.ip}
    errors
    log
    ready ${COREDNS_READY}
    kubernetes ${zones.join(' ')} {
        kubeconfig ${kubeconfig} ${context}
        pods insecure
${clusterset ? `        multicluster ${CLUSTERSET_ZONE}\n` : ''}        ttl 5
        fallthrough in-addr.arpa ip6.arpa
    }
}
`;
}

/** The argv (without the binary) CoreDNS is started with. */
export function corednsArgs(corefilePath: string): string[] {
  return ['-conf', corefilePath];
}

/** The kube-dns Service: cluster IP `dnsIP`, no selector (its endpoints are {@link dnsEndpointSlice}). */
export function dnsService(dnsIP: string): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      ...DNS_SERVICE,
      labels: { 'k8s-app': 'kube-dns', 'app.kubernetes.io/managed-by': DATAPLANE_MANAGER },
    },
    spec: {
      clusterIP: dnsIP,
      ports: [
        { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 },
        { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 },
      ],
    },
  };
}

/** The kube-dns Service's endpoints: CoreDNS on the node's address. */
export function dnsEndpointSlice(node: NodeTopology, nodeName: string): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: DNS_SLICE_NAME,
      namespace: DNS_SERVICE.namespace,
      labels: {
        'kubernetes.io/service-name': DNS_SERVICE.name,
        'endpointslice.kubernetes.io/managed-by': DATAPLANE_MANAGER,
      },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [node.ip], conditions: { ready: true }, nodeName }],
    ports: [
      { name: 'dns', port: 53, protocol: 'UDP' },
      { name: 'dns-tcp', port: 53, protocol: 'TCP' },
    ],
  };
}
