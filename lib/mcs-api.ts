/**
 * Karmada's `networking.karmada.io/v1alpha1` MultiClusterService, declared once for the webhook
 * (which checks untrusted JSON against it) and the syncer (which reads it from the hub). Field
 * names and meanings follow Karmada's `pkg/apis/networking/v1alpha1/service_types.go`; the
 * status is a `corev1.ServiceStatus`, of which only `conditions` is used. Every field is
 * optional, as it is on the wire: the webhook sees objects before any default is applied, and
 * the syncer reads what the API server stored.
 */
import type { V1ObjectMeta } from '@kubernetes/client-node';

/** API group of MultiClusterService. */
export const MCS_GROUP = 'networking.karmada.io';
/** API version of MultiClusterService. */
export const MCS_VERSION = 'v1alpha1';
/** `apiVersion` of MultiClusterService. */
export const MCS_API_VERSION = `${MCS_GROUP}/${MCS_VERSION}`;
/** Kind of MultiClusterService. */
export const MCS_KIND = 'MultiClusterService';
/** Resource (plural) of MultiClusterService. */
export const MCS_PLURAL = 'multiclusterservices';
/** Label Karmada's mutating webhook sets to a UUID on every MultiClusterService. */
export const PERMANENT_ID_LABEL = 'multiclusterservice.karmada.io/permanent-id';

/** The exposure types Karmada defines. */
export const EXPOSURE_TYPES = ['CrossCluster', 'LoadBalancer'] as const;
/** One of {@link EXPOSURE_TYPES}. */
export type ExposureType = (typeof EXPOSURE_TYPES)[number];
/** Exposure type: the Service is reachable by its native name from the consumer clusters. */
export const EXPOSURE_CROSS_CLUSTER: ExposureType = 'CrossCluster';
/** Exposure type: an external load balancer (not provisioned by mcs-bridge). */
export const EXPOSURE_LOAD_BALANCER: ExposureType = 'LoadBalancer';
/** The type a MultiClusterService gets when it names none. */
export const DEFAULT_EXPOSURE_TYPE: ExposureType = EXPOSURE_CROSS_CLUSTER;

/** A port of the referenced Service that is exposed (`spec.ports[i]`). */
export interface ExposurePort {
  /** Name of the port in the Service. */
  name?: string;
  /** The Service port. */
  port: number;
}

/** Deprecated list of clusters where the Service is exposed. */
export interface ExposureRange {
  /** Names of the selected clusters (entries may be null: see webhook/rules/validate-schema.ts). */
  clusterNames?: (string | null)[];
}

/** Selects one member cluster by name (`spec.providerClusters[i]`, `spec.consumerClusters[i]`). */
export interface ClusterSelector {
  /** Name of the member cluster. */
  name: string;
}

/** Desired state of a MultiClusterService, with the deprecated fields Karmada still accepts. */
export interface MultiClusterServiceSpec {
  /** How the Service is exposed; the syncer acts only on `CrossCluster` (the default). */
  types?: string[];
  /** Ports exposed; all the Service's ports when empty. */
  ports?: ExposurePort[];
  /** Deprecated in Karmada in favour of consumerClusters. */
  range?: ExposureRange;
  /** Deprecated in Karmada in favour of providerClusters (entries may be null, which Karmada reads as ""). */
  serviceProvisionClusters?: (string | null)[];
  /** Deprecated in Karmada in favour of consumerClusters (entries may be null, which Karmada reads as ""). */
  serviceConsumptionClusters?: (string | null)[];
  /** Clusters whose endpoints back the Service; every member cluster when empty. */
  providerClusters?: ClusterSelector[];
  /** Clusters where the Service is reachable; every member cluster when empty. */
  consumerClusters?: ClusterSelector[];
}

/** A `metav1.Condition` as it appears in JSON. */
export interface McsCondition {
  /** Condition type, e.g. `ServiceApplied`. */
  type: string;
  /** `True`, `False` or `Unknown`. */
  status: 'True' | 'False' | 'Unknown';
  /** Generation of the MCS the condition was computed from. */
  observedGeneration?: number;
  /** RFC 3339 time of the last change of `status`. */
  lastTransitionTime: string;
  /** CamelCase reason. */
  reason: string;
  /** Human-readable detail. */
  message: string;
}

/** Observed state of a MultiClusterService (a `corev1.ServiceStatus`). */
export interface MultiClusterServiceStatus {
  /** Conditions; the syncer owns `ServiceApplied` and `EndpointSliceDispatched`. */
  conditions?: McsCondition[];
  /** Unused by mcs-bridge (no load balancers are provisioned). */
  loadBalancer?: Record<string, unknown>;
}

/** A MultiClusterService object. */
export interface MultiClusterService {
  /** `networking.karmada.io/v1alpha1`. */
  apiVersion?: string;
  /** `MultiClusterService`. */
  kind?: string;
  /** Object metadata; its name is also the name of the Service it exposes. */
  metadata?: V1ObjectMeta;
  /** Desired state. */
  spec?: MultiClusterServiceSpec;
  /** Observed state. */
  status?: MultiClusterServiceStatus;
}

/** Condition type: the Service has been applied in every provider and consumer cluster (Karmada's name). */
export const CONDITION_SERVICE_APPLIED = 'ServiceApplied';
/** Condition type: the EndpointSlices have been dispatched to every consumer cluster (Karmada's name). */
export const CONDITION_ENDPOINTSLICE_DISPATCHED = 'EndpointSliceDispatched';
