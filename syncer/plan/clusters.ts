/**
 * Which member clusters provide and consume an MCS, and which of them can be acted on now.
 */
import { canBeClusterName } from '../../lib/cluster-name.ts';
import type { MultiClusterServiceSpec } from '../api/types.ts';
import type { MemberSnapshot } from './snapshot.ts';

/** The roles a cluster can be named in. */
export type ClusterRole = 'provider' | 'consumer';

/** Cluster names the spec asks for, deduplicated, in order; empty means every member cluster. */
export interface RequestedClusters {
  /** Requested provider names. */
  readonly providers: readonly string[];
  /** Requested consumer names. */
  readonly consumers: readonly string[];
}

/** The resolved provider and consumer sets. */
export interface ClusterSets {
  /** Known clusters whose endpoints are collected. */
  readonly providers: ReadonlySet<string>;
  /** Known clusters that receive the Service and the endpoints. */
  readonly consumers: ReadonlySet<string>;
  /** Named clusters that are not known members (`ClusterNotFound`). */
  readonly notFound: readonly { readonly role: ClusterRole; readonly name: string }[];
}

function unique(names: readonly (string | undefined)[]): string[] {
  return [...new Set(names.filter((n): n is string => typeof n === 'string' && n !== ''))];
}

/**
 * Reads the requested clusters from the spec. The deprecated fields count only when the new
 * field is empty (the webhook normally converts them already): `serviceProvisionClusters` →
 * providers, `serviceConsumptionClusters` → consumers, and `range.clusterNames` → consumers,
 * since Karmada described `range` as the clusters "where the service is exposed". A deprecated
 * name that no cluster can have is left out, as the webhook leaves it out when it converts.
 */
export function requestedClusters(spec: MultiClusterServiceSpec): RequestedClusters {
  const usable = (names: readonly (string | null)[] | undefined) =>
    unique((names ?? []).filter(canBeClusterName));
  let providers = unique((spec.providerClusters ?? []).map((c) => c?.name));
  if (providers.length === 0) providers = usable(spec.serviceProvisionClusters);
  let consumers = unique((spec.consumerClusters ?? []).map((c) => c?.name));
  if (consumers.length === 0) {
    consumers = unique([...usable(spec.serviceConsumptionClusters), ...usable(spec.range?.clusterNames)]);
  }
  return { providers, consumers };
}

/**
 * Resolves the requested names against the known member clusters: an empty list means all of
 * them (ready or not); a name that is not known is reported and otherwise ignored.
 */
export function resolveClusterSets(spec: MultiClusterServiceSpec, known: readonly string[]): ClusterSets {
  const requested = requestedClusters(spec);
  const knownSet = new Set(known);
  const notFound: { role: ClusterRole; name: string }[] = [];
  const resolve = (role: ClusterRole, names: readonly string[]): Set<string> => {
    if (names.length === 0) return new Set(known);
    for (const name of names) if (!knownSet.has(name)) notFound.push({ role, name });
    return new Set(names.filter((n) => knownSet.has(n)));
  };
  return {
    providers: resolve('provider', requested.providers),
    consumers: resolve('consumer', requested.consumers),
    notFound,
  };
}

/** Whether the syncer can read and write the cluster now: ready and with synced caches. */
export function isLive(cluster: MemberSnapshot): boolean {
  return cluster.ready && cluster.synced;
}

/**
 * When the grace period of a not-ready cluster ends (epoch ms), or undefined when no grace
 * applies (grace off, cluster ready, or outage start unknown).
 */
export function graceDeadline(cluster: MemberSnapshot, graceMs: number | undefined): number | undefined {
  if (graceMs === undefined || cluster.ready || cluster.notReadySince === undefined) return undefined;
  return cluster.notReadySince + graceMs;
}

/** Whether a not-ready cluster has been so for longer than the grace period at `now`. */
export function isLost(cluster: MemberSnapshot, graceMs: number | undefined, now: number): boolean {
  const deadline = graceDeadline(cluster, graceMs);
  return deadline !== undefined && now >= deadline;
}
