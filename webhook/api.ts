/**
 * The MultiClusterService API as the webhook sees it (Karmada's `networking.karmada.io/v1alpha1`),
 * and the names shared by the validating and mutating webhooks.
 */

/** API group of MultiClusterService. */
export const MCS_GROUP = 'networking.karmada.io';
/** Kind of MultiClusterService. */
export const MCS_KIND = 'MultiClusterService';
/** Label Karmada's mutating webhook sets to a UUID on every MultiClusterService. */
export const PERMANENT_ID_LABEL = 'multiclusterservice.karmada.io/permanent-id';

/** The exposure types Karmada defines. */
export const EXPOSURE_TYPES = ['CrossCluster', 'LoadBalancer'] as const;
/** One of {@link EXPOSURE_TYPES}. */
export type ExposureType = (typeof EXPOSURE_TYPES)[number];
/** The type a MultiClusterService gets when it names none. */
export const DEFAULT_EXPOSURE_TYPE: ExposureType = 'CrossCluster';

/** A port the MultiClusterService exposes (`spec.ports[i]`). */
export interface ExposurePort {
  name?: string;
  port: number;
}

/** A cluster chosen by name (`spec.providerClusters[i]`, `spec.consumerClusters[i]`). */
export interface ClusterSelector {
  name: string;
}

/** `spec` of a MultiClusterService, with the deprecated fields Karmada still accepts. */
export interface MultiClusterServiceSpec {
  types?: string[];
  ports?: ExposurePort[];
  providerClusters?: ClusterSelector[];
  consumerClusters?: ClusterSelector[];
  /** Deprecated in Karmada in favour of consumerClusters (entries may be null: see validate-schema.ts). */
  range?: { clusterNames?: (string | null)[] };
  /** Deprecated in Karmada in favour of providerClusters. */
  serviceProvisionClusters?: (string | null)[];
  /** Deprecated in Karmada in favour of consumerClusters. */
  serviceConsumptionClusters?: (string | null)[];
}

/** The part of ObjectMeta the webhook reads. */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  deletionTimestamp?: string;
}

/** A MultiClusterService whose JSON shape has been checked (see validate-schema.ts). */
export interface MultiClusterService {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  spec?: MultiClusterServiceSpec;
  status?: unknown;
}
