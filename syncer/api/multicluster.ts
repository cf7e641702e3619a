/**
 * The Kubernetes Multi-Cluster Services API (KEP-1645, `multicluster.x-k8s.io/v1beta1` as
 * mcs-api v0.5.x defines it): ServiceExport and ServiceImport, the fields the syncer reads and
 * writes, and the condition types and reasons the KEP lists. Declared from the API's documented
 * fields; charts/mcs-bridge/member-crds/ holds the CRDs.
 */
import type { V1ObjectMeta, V1SessionAffinityConfig } from '@kubernetes/client-node';
import type { McsCondition } from '../../lib/mcs-api.ts';

/** The API group of ServiceExport and ServiceImport. */
export const MULTICLUSTER_GROUP = 'multicluster.x-k8s.io';
/** The version the syncer reads and writes. */
export const MULTICLUSTER_VERSION = 'v1beta1';
/** `apiVersion` of the objects the syncer writes. */
export const MULTICLUSTER_API_VERSION = `${MULTICLUSTER_GROUP}/${MULTICLUSTER_VERSION}`;

/** A ServiceExport: exports the Service of the same namespace and name from its cluster. */
export interface ServiceExport {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: {
    exportedLabels?: Record<string, string>;
    exportedAnnotations?: Record<string, string>;
  };
  status?: { conditions?: McsCondition[] };
}

/** `ServiceImport.spec.type`. */
export type ServiceImportType = 'ClusterSetIP' | 'Headless';

/** A port of a ServiceImport (a Service port without targetPort and nodePort). */
export interface ServiceImportPort {
  name?: string;
  protocol?: string;
  appProtocol?: string;
  port: number;
}

/** What a consumer sees of a Service exported somewhere in the clusterset. */
export interface ServiceImportSpec {
  type: ServiceImportType;
  ports: ServiceImportPort[];
  /** The clusterset IPs, one per family of `ipFamilies`; none when Headless. */
  ips?: string[];
  ipFamilies?: string[];
  sessionAffinity?: string;
  sessionAffinityConfig?: V1SessionAffinityConfig;
  internalTrafficPolicy?: string;
  trafficDistribution?: string;
}

/** A ServiceImport. */
export interface ServiceImport {
  apiVersion?: string;
  kind?: string;
  metadata?: V1ObjectMeta;
  spec?: ServiceImportSpec;
  status?: { clusters?: { cluster: string }[]; conditions?: McsCondition[] };
}

/** ServiceExport condition types (KEP-1645). */
export const EXPORT_VALID = 'Valid';
export const EXPORT_READY = 'Ready';
export const EXPORT_CONFLICT = 'Conflict';
/** The ServiceExport condition types the syncer owns. */
export const EXPORT_CONDITION_TYPES: readonly string[] = [EXPORT_VALID, EXPORT_READY, EXPORT_CONFLICT];

/** Reasons of the ServiceExport conditions (KEP-1645, mcs-api v0.5.x). */
export const REASON = {
  valid: 'Valid',
  noService: 'NoService',
  invalidServiceType: 'InvalidServiceType',
  exported: 'Exported',
  pending: 'Pending',
  failed: 'Failed',
  noConflicts: 'NoConflicts',
  portConflict: 'PortConflict',
  typeConflict: 'TypeConflict',
  sessionAffinityConflict: 'SessionAffinityConflict',
  sessionAffinityConfigConflict: 'SessionAffinityConfigConflict',
  internalTrafficPolicyConflict: 'InternalTrafficPolicyConflict',
  trafficDistributionConflict: 'TrafficDistributionConflict',
  ipFamilyConflict: 'IPFamilyConflict',
} as const;
