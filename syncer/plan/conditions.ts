/**
 * Whose conditions are whose on a MultiClusterService, and how ours go onto a list someone else
 * changed meanwhile. Karmada's controllers write `ServiceApplied` and `EndpointSliceDispatched`
 * while they serve, another replica may write during a hand-over: a write of ours replaces only
 * the types it owns and keeps every other condition as the server has it. Pure.
 */
import {
  CONDITION_ENDPOINTSLICE_DISPATCHED,
  CONDITION_SERVICE_APPLIED,
  type McsCondition,
} from '../api/types.ts';

/** The types the ordinary reconcile owns while mcs-bridge serves a MultiClusterService. */
export const SERVED_CONDITION_TYPES: readonly string[] = [
  CONDITION_SERVICE_APPLIED,
  CONDITION_ENDPOINTSLICE_DISPATCHED,
  'EndpointsOutsideConsumerCIDRs',
];

/**
 * `server`'s conditions with those of the `owned` types replaced by `ours` (and dropped where
 * `ours` has none), the rest kept in place; `changed` says whether that differs from `server`.
 */
export function rebaseConditions(
  server: readonly McsCondition[] | undefined,
  ours: readonly McsCondition[],
  owned: readonly string[],
): { conditions: McsCondition[]; changed: boolean } {
  const isOwned = (c: McsCondition) => owned.includes(c.type);
  const wanted = ours.filter(isOwned);
  const conditions: McsCondition[] = [];
  for (const c of server ?? []) {
    if (!isOwned(c)) conditions.push(c);
    else {
      const mine = wanted.find((w) => w.type === c.type);
      if (mine) conditions.push(mine);
    }
  }
  for (const w of wanted) if (!conditions.includes(w)) conditions.push(w);
  return { conditions, changed: JSON.stringify(conditions) !== JSON.stringify(server ?? []) };
}
