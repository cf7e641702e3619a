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

/** A condition as a decision states it; its `lastTransitionTime` is {@link setConditions}' to keep or set. */
export type WantedCondition = Omit<McsCondition, 'lastTransitionTime'>;

/** Longest condition message the API server accepts. */
const MAX_MESSAGE = 32768;

/** RFC 3339 with seconds, as `metav1.Time` serializes. */
function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

function same(a: WantedCondition, b: McsCondition | undefined): boolean {
  return (
    b !== undefined &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.observedGeneration === b.observedGeneration
  );
}

/**
 * The one place every condition of a MultiClusterService is set (the served conditions of
 * plan/status.ts, the overlap check's, StandingDown): `previous` with each of `set` put in and
 * each type of `remove` taken out, the others kept in place. A condition's `lastTransitionTime`
 * moves only when its status does; a message is cut to what the API server accepts; `changed`
 * is false when nothing but time would change, so a steady state writes no status.
 */
export function setConditions(
  previous: readonly McsCondition[] | undefined,
  set: readonly WantedCondition[],
  remove: readonly string[],
  now: number,
): { conditions: McsCondition[]; changed: boolean } {
  const before = previous ?? [];
  const touched = new Set([...set.map((c) => c.type), ...remove]);
  const conditions = before.filter((c) => !touched.has(c.type));
  let changed = remove.some((type) => before.some((c) => c.type === type));
  for (const wanted of set) {
    const message =
      wanted.message.length > MAX_MESSAGE ? `${wanted.message.slice(0, MAX_MESSAGE - 1)}…` : wanted.message;
    const c = { ...wanted, message };
    const old = before.find((x) => x.type === c.type);
    if (!same(c, old)) changed = true;
    const lastTransitionTime = old && old.status === c.status ? old.lastTransitionTime : rfc3339(now);
    conditions.push({ ...c, lastTransitionTime });
  }
  return { conditions, changed };
}
