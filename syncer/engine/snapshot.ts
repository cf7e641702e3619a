/**
 * Fills the planner's snapshot for one MCS key from the caches. Objects are the cached
 * ones (shared, read-only); only lookups happen here, no copies, no scans.
 */
import type { McsSnapshot, MemberSnapshot } from '../plan/snapshot.ts';
import type { Member } from './clusters.ts';
import type { HubCache } from './hub-cache.ts';

/** What the snapshot is built from. */
export interface SnapshotSources {
  hub: HubCache;
  /** Whether the cluster source delivered its first list. */
  sourceSynced: boolean;
  members: readonly Member[];
  /** Wall time (epoch ms): the planner's `now`, stamped on conditions. */
  now: number;
  /** The same instant on the monotonic clock, which members' `notReadySince` is on. */
  monotonicNow: number;
  unreadyGraceMs?: number;
}

/** Splits an MCS key `namespace/name`. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  if (i <= 0 || i === key.length - 1) throw new Error(`malformed MultiClusterService key '${key}'`);
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The planner's input for one key. */
export function buildSnapshot(key: string, s: SnapshotSources): McsSnapshot {
  const { namespace, name } = splitKey(key);
  const clusters: MemberSnapshot[] = s.members.map((m) => ({
    name: m.name,
    ready: m.ready,
    // Moved onto the wall time of `now`, by the time that passed on the monotonic clock: a
    // grace period lasts as long as it says, whatever steps the wall clock took meanwhile.
    notReadySince: m.notReadySince === undefined ? undefined : s.now - (s.monotonicNow - m.notReadySince),
    synced: m.cache.synced,
    // A Pull-mode member's namespaces are Karmada's to propagate (its namespace controller
    // copies every hub namespace): the syncer creates none there (pull-member-client.ts).
    namespace: m.cache.namespaces.get(namespace) ?? (m.pull ? { metadata: { name: namespace } } : undefined),
    service: m.cache.services.get(name, namespace),
    endpointSlices: m.cache.slicesOf(namespace, name),
  }));
  return {
    namespace,
    name,
    hubSynced: s.hub.synced && s.sourceSynced,
    mcs: s.hub.mcs.get(name, namespace),
    hubService: s.hub.services.get(name, namespace),
    clusters,
    now: s.now,
    unreadyGraceMs: s.unreadyGraceMs,
  };
}
