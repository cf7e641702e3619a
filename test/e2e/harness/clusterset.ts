/**
 * The objects of an imported multi-cluster Service in a consuming member, in the shape the
 * syncer writes them (docs/mcs-api.md § What a consumer sees): the ServiceImport, for
 * ClusterSetIP a selector-less backing Service whose ClusterIP is the clusterset IP, and the
 * EndpointSlices labelled for CoreDNS (`multicluster.kubernetes.io/*`) and, for ClusterSetIP,
 * for kube-proxy (`kubernetes.io/service-name: <backing>`). Pure builders, plus the API's names.
 */
import type { KubernetesObject, V1EndpointSlice, V1Service } from '@kubernetes/client-node';

/** ServiceImport as the test writes it (v1beta1, what mcs-bridge writes) and CoreDNS reads it (v1alpha1). */
export const SERVICE_IMPORT = {
  group: 'multicluster.x-k8s.io',
  version: 'v1beta1',
  plural: 'serviceimports',
};
/** ServiceExport (v1beta1). */
export const SERVICE_EXPORT = {
  group: 'multicluster.x-k8s.io',
  version: 'v1beta1',
  plural: 'serviceexports',
};
/** The label of an MCS EndpointSlice naming the multi-cluster Service (KEP-1645). */
export const MCS_SERVICE_NAME = 'multicluster.kubernetes.io/service-name';
/** The label of an MCS EndpointSlice naming the cluster its endpoints come from. */
export const MCS_SOURCE_CLUSTER = 'multicluster.kubernetes.io/source-cluster';
/** managed-by of the slices a test writes itself: not the EndpointSlice controller's. */
export const TEST_MANAGER = 'e2e.mcs-bridge.io';

/** A port of an imported Service; slices and the backing Service use the same name. */
export interface ImportPort {
  name: string;
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
}

/** An endpoint of an exporter: its address, and the hostname a StatefulSet pod would have. */
export interface ImportEndpoint {
  ip: string;
  hostname?: string;
}

/** A ServiceImport (v1beta1): ClusterSetIP with its clusterset IPs, or Headless with none. */
export function serviceImport(o: {
  name: string;
  namespace: string;
  type: 'ClusterSetIP' | 'Headless';
  ips?: string[];
  ports: ImportPort[];
}): KubernetesObject & { spec: object } {
  const ips = o.type === 'ClusterSetIP' ? (o.ips ?? []) : [];
  return {
    apiVersion: `${SERVICE_IMPORT.group}/${SERVICE_IMPORT.version}`,
    kind: 'ServiceImport',
    metadata: { name: o.name, namespace: o.namespace },
    spec: {
      type: o.type,
      ports: o.ports,
      ...(ips.length > 0 ? { ips, ipFamilies: ips.map(() => 'IPv4') } : {}),
      sessionAffinity: 'None',
    },
  };
}

/** The name the syncer gives the backing Service of `service`'s ServiceImport (syncer/names.ts). */
export function backingName(service: string): string {
  return `clusterset-${service}`;
}

/**
 * The selector-less Service `clusterset-<service>` whose ClusterIP is the clusterset IP, and
 * which kube-proxy routes to the imported endpoints.
 */
export function backingService(o: { service: string; namespace: string; ports: ImportPort[] }): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: backingName(o.service),
      namespace: o.namespace,
      labels: { [MCS_SERVICE_NAME]: o.service },
    },
    spec: {
      type: 'ClusterIP',
      ports: o.ports.map((p) => ({ ...p, targetPort: p.port })),
    },
  };
}

/**
 * An MCS EndpointSlice `clusterset-<sourceCluster>-<sourceSlice>` of `service`'s endpoints from
 * `sourceCluster`; with `backed`, also a slice of the backing Service for kube-proxy (a
 * ClusterSetIP import; a Headless one is answered by CoreDNS alone).
 */
export function importSlice(o: {
  sourceSlice: string;
  namespace: string;
  service: string;
  sourceCluster: string;
  backed: boolean;
  endpoints: ImportEndpoint[];
  ports: ImportPort[];
}): V1EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: `clusterset-${o.sourceCluster}-${o.sourceSlice}`,
      namespace: o.namespace,
      labels: {
        [MCS_SERVICE_NAME]: o.service,
        [MCS_SOURCE_CLUSTER]: o.sourceCluster,
        'endpointslice.kubernetes.io/managed-by': TEST_MANAGER,
        ...(o.backed ? { 'kubernetes.io/service-name': backingName(o.service) } : {}),
      },
    },
    addressType: 'IPv4',
    endpoints: o.endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: true },
      ...(e.hostname ? { hostname: e.hostname } : {}),
    })),
    ports: o.ports.map((p) => ({ name: p.name, port: p.port, protocol: p.protocol })),
  };
}

/** The name CoreDNS gives an endpoint without a hostname: its address with dashes. */
export function dashedAddress(ip: string): string {
  return ip.replaceAll('.', '-');
}
