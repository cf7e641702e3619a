/**
 * The input of one reconcile of one MCS key: what the engine reads from its caches.
 *
 * Objects are the cached ones, shared with the informers: the planner never mutates them
 * (kubernetes/sample-controller's rule) and copies what it puts into actions.
 */
import type { V1EndpointSlice, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { MultiClusterService } from '../api/types.ts';

/** What the engine knows of one member cluster, restricted to one MCS key. */
export interface MemberSnapshot {
  /** Cluster name (Karmada Cluster name, or kubeconfig context name). */
  readonly name: string;
  /** Whether the cluster is Ready and reachable (Karmada's Ready condition, or our health checks). */
  readonly ready: boolean;
  /**
   * When the cluster was first seen not ready in its current outage (epoch ms); drives the
   * optional grace period. Undefined while ready, or when unknown (then no grace applies).
   */
  readonly notReadySince?: number;
  /**
   * Whether this cluster's Namespace, Service and EndpointSlice caches have synced. Until they
   * have, nothing is written to or deleted from this cluster, and its endpoints are not judged gone.
   */
  readonly synced: boolean;
  /** The MCS's namespace in this cluster, if it exists. */
  readonly namespace?: V1Namespace;
  /** The Service with the MCS's namespace and name in this cluster, if any (ours or not). */
  readonly service?: V1Service;
  /** Every EndpointSlice in the MCS's namespace labelled `kubernetes.io/service-name=<name>` (ours or not). */
  readonly endpointSlices: readonly V1EndpointSlice[];
  /**
   * Every EndpointSlice labelled for the exported Service when the key's Service is a backing
   * Service of the MCS API (`ActiveMcs.copies.sourceService`); undefined otherwise.
   */
  readonly sourceSlices?: readonly V1EndpointSlice[];
}

/** Everything one reconcile of the MCS key `namespace/name` decides from. */
export interface McsSnapshot {
  /** Namespace of the MCS (and of the Service it exposes). */
  readonly namespace: string;
  /** Name of the MCS (and of the Service it exposes). */
  readonly name: string;
  /** Whether the hub's MCS, Service and cluster caches have synced; nothing is planned until they have. */
  readonly hubSynced: boolean;
  /** The MCS; undefined when it no longer exists (then whatever is ours for this key is withdrawn). */
  readonly mcs?: MultiClusterService;
  /** The hub Service of the same namespace and name, if any. */
  readonly hubService?: V1Service;
  /** Every known member cluster, ready or not. */
  readonly clusters: readonly MemberSnapshot[];
  /** Current time (epoch ms), from the engine's clock. */
  readonly now: number;
  /**
   * Optional grace period (ms): once a provider has been not ready longer than this, its
   * dispatched endpoints are marked not ready in the consumers until it returns. Off when undefined.
   */
  readonly unreadyGraceMs?: number;
}
