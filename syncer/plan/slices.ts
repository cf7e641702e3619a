/**
 * The EndpointSlices the syncer collects from providers and the copies it dispatches to consumers.
 */
import type { DiscoveryV1EndpointPort, V1Endpoint, V1EndpointSlice } from '@kubernetes/client-node';
import {
  ANNOTATION_PROVISION_CLUSTER,
  COPY_SLICE_MANAGERS,
  LABEL_HEADLESS,
  LABEL_MCS_API_SERVICE_NAME,
  LABEL_SERVICE_NAME,
  LABEL_SLICE_MANAGED_BY,
  LABEL_SOURCE_CLUSTER,
  SLICE_MANAGER_SYNCER,
} from '../names.ts';
import { compact, sameValue } from './equality.ts';

/** Labels of a dispatched slice the syncer sets (and therefore compares). */
const OWNED_LABELS = [
  LABEL_SERVICE_NAME,
  LABEL_SLICE_MANAGED_BY,
  LABEL_SOURCE_CLUSTER,
  LABEL_HEADLESS,
  LABEL_MCS_API_SERVICE_NAME,
];

/** What a copy belongs to when it is not the source's own Service (the MCS API's backing Service). */
export interface CopyTarget {
  /** The Service the copy is labelled for. */
  readonly serviceName: string;
  /** Labels set besides the planner's own. */
  readonly labels: Readonly<Record<string, string>>;
  /** Whether the copy carries the headless label. */
  readonly headless: boolean;
}

/** Whether a slice in a member cluster is one the syncer dispatched (by managed-by, docs/architecture.md § Ownership labels). */
export function isOwnedSlice(slice: V1EndpointSlice): boolean {
  return slice.metadata?.labels?.[LABEL_SLICE_MANAGED_BY] === SLICE_MANAGER_SYNCER;
}

/** The cluster a dispatched slice came from, by its label or else its Karmada annotation. */
export function sourceClusterOf(slice: V1EndpointSlice): string | undefined {
  return (
    slice.metadata?.labels?.[LABEL_SOURCE_CLUSTER] ??
    slice.metadata?.annotations?.[ANNOTATION_PROVISION_CLUSTER]
  );
}

/**
 * Whether a slice in `cluster` holds that cluster's own endpoints and is therefore collected
 * (the loop guard). Every slice is collected except a copy of endpoints from elsewhere: one
 * managed by the syncer or by Karmada (dispatch or ServiceImport controllers), one carrying
 * Karmada's provision-cluster annotation, or one whose source-cluster label names another
 * cluster (another MCS-API implementation's import). The default manager, the mirroring
 * controller, a missing label and a user's own controller all mean local endpoints.
 */
export function isCollectable(slice: V1EndpointSlice, cluster: string, serviceName: string): boolean {
  const labels = slice.metadata?.labels ?? {};
  if (labels[LABEL_SERVICE_NAME] !== serviceName) return false;
  const manager = labels[LABEL_SLICE_MANAGED_BY];
  if (manager !== undefined && COPY_SLICE_MANAGERS.has(manager)) return false;
  if (slice.metadata?.annotations?.[ANNOTATION_PROVISION_CLUSTER] !== undefined) return false;
  const source = labels[LABEL_SOURCE_CLUSTER];
  return source === undefined || source === cluster;
}

/**
 * Copies one endpoint: addresses, conditions, hostname, nodeName, zone. Dropped: `targetRef`
 * (a Pod of another cluster: tools that resolve it in the consumer would find nothing or the
 * wrong Pod), `hints` (zones and nodes chosen for the provider's topology) and `deprecatedTopology`.
 */
function copyEndpoint(e: V1Endpoint): V1Endpoint {
  return compact({
    addresses: [...(e.addresses ?? [])],
    conditions: e.conditions ? compact({ ...e.conditions }) : undefined,
    hostname: e.hostname,
    nodeName: e.nodeName,
    zone: e.zone,
  });
}

function copyPort(p: DiscoveryV1EndpointPort): DiscoveryV1EndpointPort {
  return compact({ name: p.name, protocol: p.protocol, port: p.port, appProtocol: p.appProtocol });
}

/**
 * Builds the copy of `source` (a slice of `provider`) for a consumer, named `name`, labelled
 * for the source's own Service, or for `target`'s.
 */
export function sliceCopy(
  source: V1EndpointSlice,
  provider: string,
  namespace: string,
  name: string,
  target?: CopyTarget,
): V1EndpointSlice {
  const serviceName = target?.serviceName ?? source.metadata?.labels?.[LABEL_SERVICE_NAME] ?? '';
  let headless = source.metadata?.labels?.[LABEL_HEADLESS];
  if (target) headless = target.headless ? 'true' : undefined;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace,
      labels: compact({
        ...target?.labels,
        [LABEL_SERVICE_NAME]: serviceName,
        [LABEL_SLICE_MANAGED_BY]: SLICE_MANAGER_SYNCER,
        [LABEL_SOURCE_CLUSTER]: provider,
        // Keeps kube-proxy from watching copies of a headless Service's slices, as it skips the local ones.
        [LABEL_HEADLESS]: headless,
      }),
      annotations: { [ANNOTATION_PROVISION_CLUSTER]: provider },
    },
    addressType: source.addressType,
    endpoints: (source.endpoints ?? []).map(copyEndpoint),
    ports: (source.ports ?? []).map(copyPort),
  };
}

/**
 * The same copy with every endpoint marked not ready: what consumers hold of a provider lost
 * for longer than the grace period. kube-proxy routes to no endpoint that is not ready unless
 * it is also terminating, so leaving `serving` and `terminating` as they were is enough.
 */
export function markedNotReady(copy: V1EndpointSlice): V1EndpointSlice {
  return {
    ...copy,
    endpoints: (copy.endpoints ?? []).map((e) => ({ ...e, conditions: { ...e.conditions, ready: false } })),
  };
}

function normalPorts(ports: readonly DiscoveryV1EndpointPort[] | undefined): unknown[] {
  return (ports ?? []).map((p) => ({
    name: p.name ?? '',
    protocol: p.protocol ?? 'TCP',
    port: p.port,
    appProtocol: p.appProtocol,
  }));
}

/**
 * Paths of the owned fields in which an existing copy differs from the desired one (empty: no
 * write). The API server defaults port name and protocol; both sides are compared with them applied.
 */
export function sliceDrift(existing: V1EndpointSlice, desired: V1EndpointSlice): string[] {
  const fields: string[] = [];
  const el = existing.metadata?.labels ?? {};
  const dl = desired.metadata?.labels ?? {};
  if (OWNED_LABELS.some((k) => el[k] !== dl[k])) fields.push('metadata.labels');
  const ea = existing.metadata?.annotations ?? {};
  const da = desired.metadata?.annotations ?? {};
  if (Object.entries(da).some(([k, v]) => ea[k] !== v)) fields.push('metadata.annotations');
  if (existing.addressType !== desired.addressType) fields.push('addressType');
  const endpoints = (s: V1EndpointSlice) => (s.endpoints ?? []).map(copyEndpoint);
  if (!sameValue(endpoints(existing), endpoints(desired))) fields.push('endpoints');
  if (!sameValue(normalPorts(existing.ports), normalPorts(desired.ports))) fields.push('ports');
  return fields;
}

/** Whether any endpoint of the slice is not already marked `ready: false`. */
export function hasReadyEndpoint(slice: V1EndpointSlice): boolean {
  return (slice.endpoints ?? []).some((e) => e.conditions?.ready !== false);
}
