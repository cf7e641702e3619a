/**
 * The facts shared by the Service and EndpointSlice planners within one reconcile.
 */
import type { V1Namespace, V1Service } from '@kubernetes/client-node';
import type { ClusterSets } from './clusters.ts';
import { isLive } from './clusters.ts';
import type { McsSnapshot, MemberSnapshot } from './snapshot.ts';

/**
 * How the slice copies are made when a front end other than MultiClusterService asks (the MCS
 * API's backing Service, docs/architecture.md § Kubernetes MCS API).
 */
export interface CopyPolicy {
  /** The Service whose slices are collected in providers (they are in `MemberSnapshot.sourceSlices`). */
  readonly sourceService: string;
  /** Whether a consumer that is also a provider gets copies of its own endpoints. */
  readonly includeOwn: boolean;
  /** The name of the copy of a provider's slice. */
  readonly copyName: (provider: string, slice: string, opts: { forceHash?: boolean }) => string;
  /** Labels every copy carries besides the planner's own. */
  readonly labels: Readonly<Record<string, string>>;
  /** Whether the copies carry the headless label, whatever their sources say. */
  readonly headless: boolean;
  /**
   * Names of a provider's slice ports its copies leave out (none when undefined): ports of its
   * Service that lost a conflict, so the backing Service's port of that name never reaches it.
   */
  readonly leftOutPorts?: (provider: string) => ReadonlySet<string> | undefined;
}

/** What the MCS asks for when it is carried out (not withdrawn). */
export interface ActiveMcs {
  /** The Service copy every provider and consumer must hold. */
  readonly service: V1Service;
  /** Providers and consumers. */
  readonly sets: ClusterSets;
  /** The clusters that hold the Service copy; every provider and consumer when undefined. */
  readonly serviceClusters?: ReadonlySet<string>;
  /** How slices are collected and copied; as a MultiClusterService does when undefined. */
  readonly copies?: CopyPolicy;
}

/** Input of the per-kind planners. */
export interface PlanContext {
  /** The snapshot planned from. */
  readonly snapshot: McsSnapshot;
  /** Member clusters by name, in name order. */
  readonly members: ReadonlyMap<string, MemberSnapshot>;
  /** The desired state, or undefined when everything of this key is withdrawn. */
  readonly active?: ActiveMcs;
  /** Why everything is withdrawn (when `active` is undefined), for action reasons. */
  readonly withdrawReason: string;
}

/** Whether a namespace is being deleted (nothing can be created in it; its deletion removes our objects). */
export function isTerminating(ns: V1Namespace | undefined): boolean {
  return ns !== undefined && (isDeleting(ns) || ns.status?.phase === 'Terminating');
}

/** Whether the planners may write into this cluster's copy of the namespace now. */
export function isWritable(member: MemberSnapshot): boolean {
  return isLive(member) && !isTerminating(member.namespace);
}

/** Whether an object is being deleted (it is neither updated nor deleted again; it goes by itself). */
export function isDeleting(obj: { metadata?: { deletionTimestamp?: unknown } }): boolean {
  return obj.metadata?.deletionTimestamp !== undefined && obj.metadata.deletionTimestamp !== null;
}
