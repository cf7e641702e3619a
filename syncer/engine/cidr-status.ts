/**
 * The overlap check of one reconcile: provider endpoints inside a consumer's own pod or
 * Service CIDRs (network/overlaps.ts). It adds the `EndpointsOutsideConsumerCIDRs` condition
 * and a Warning event to what `statusFor` computed, and keeps a gauge per consumer and range
 * kind (MCS with overlaps, never their names). The endpoints are dispatched all the same: the user decides what to do.
 */
import {
  type ClusterRanges,
  CONDITION_ENDPOINTS_OUTSIDE_CONSUMER_CIDRS,
  type ConsumerRanges,
  findOverlaps,
  overlapCondition,
  type ProviderAddresses,
} from '../network/overlaps.ts';
import { isLive } from '../plan/clusters.ts';
import { setConditions } from '../plan/conditions.ts';
import { isCollectable } from '../plan/slices.ts';
import type { McsSnapshot } from '../plan/snapshot.ts';
import type { StatusUpdate } from '../plan/status.ts';
import type { McsPlan } from '../plan/types.ts';
import type { SyncerMetrics } from './metrics.ts';

/** Per MCS key, the overlap verdicts behind the gauge. */
export class CidrChecks {
  /** key → `consumer\0kind` of each overlap found in its last reconcile. */
  private readonly found = new Map<string, Set<string>>();

  constructor(private readonly metrics: SyncerMetrics) {}

  /**
   * `update` with the overlap condition merged in (its `lastTransitionTime` kept while its
   * status stays), `changed` set when it differs, and a Warning event for overlaps. Returns
   * `update` untouched when the plan writes no status, or while a live consumer's ranges are
   * still being read for the first time (a restart must not flap the condition).
   */
  amend(
    key: string,
    snapshot: McsSnapshot,
    plan: McsPlan,
    update: StatusUpdate,
    rangesOf: (cluster: string) => ClusterRanges | undefined,
    now: number,
  ): StatusUpdate {
    const draft = plan.status;
    if (!draft) return update;
    if (draft.consumers.length + draft.providers.length === 0) {
      // Withdrawn (not CrossCluster, no hub Service…): nothing is dispatched, nothing to check.
      this.forget(key);
      const kept = setConditions(update.conditions, [], [CONDITION_ENDPOINTS_OUTSIDE_CONSUMER_CIDRS], now);
      return { ...update, conditions: kept.conditions, changed: update.changed || kept.changed };
    }
    const members = new Map(snapshot.clusters.map((m) => [m.name, m]));
    const consumers: ConsumerRanges[] = [];
    for (const cluster of draft.consumers) {
      const ranges = rangesOf(cluster);
      const member = members.get(cluster);
      if (ranges) consumers.push({ cluster, ranges });
      else if (member && isLive(member)) return update;
      else consumers.push({ cluster, ranges: { ranges: [], unknown: ['it cannot be reached'] } });
    }
    const providers: ProviderAddresses[] = draft.providers.map((cluster) => ({
      cluster,
      addresses: (members.get(cluster)?.endpointSlices ?? [])
        .filter((s) => isCollectable(s, cluster, snapshot.name))
        .flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses ?? [])),
    }));
    const overlaps = findOverlaps(providers, consumers);
    this.record(key, new Set(overlaps.map((o) => `${o.consumer}\0${o.range.kind}`)));
    const condition = overlapCondition(overlaps, consumers);
    const merged = setConditions(
      update.conditions,
      [
        {
          type: CONDITION_ENDPOINTS_OUTSIDE_CONSUMER_CIDRS,
          ...condition,
          observedGeneration: draft.observedGeneration,
        },
      ],
      [],
      now,
    );
    const events =
      condition.status === 'False'
        ? [...update.events, { type: 'Warning' as const, reason: 'CIDROverlap', message: condition.message }]
        : update.events;
    return { conditions: merged.conditions, changed: update.changed || merged.changed, events };
  }

  /** Drops what is known of a key (its MCS is gone or no longer planned). */
  forget(key: string): void {
    if (this.found.has(key)) this.record(key, new Set());
  }

  private record(key: string, now: Set<string>): void {
    const before = this.found.get(key) ?? new Set<string>();
    if (now.size === 0) this.found.delete(key);
    else this.found.set(key, now);
    for (const entry of new Set([...before, ...now])) {
      if (before.has(entry) === now.has(entry)) continue;
      const [cluster = '', range = ''] = entry.split('\0');
      if (now.has(entry)) this.metrics.cidrOverlaps.inc({ cluster, range });
      else this.metrics.cidrOverlaps.dec({ cluster, range });
    }
  }
}
