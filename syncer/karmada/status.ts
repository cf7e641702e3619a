/**
 * The condition by which an MCS says that mcs-bridge stands down for Karmada's own
 * MultiClusterService controllers. Karmada writes `ServiceApplied` and `EndpointSliceDispatched`
 * itself while it serves, so mcs-bridge leaves those alone and uses a type of its own, present
 * only while it stands down. Pure.
 */
import type { McsCondition } from '../api/types.ts';
import type { StandDownReason } from './decide.ts';

/** Condition type: True while mcs-bridge leaves the MCS to Karmada's MultiClusterService controllers. */
export const CONDITION_STANDING_DOWN = 'mcs-bridge.io/StandingDown';

/** The condition list to write, and whether it differs from `previous` in anything but time. */
export interface StandingDownUpdate {
  readonly conditions: McsCondition[];
  readonly changed: boolean;
}

/** RFC 3339 with seconds, as `metav1.Time` serializes. */
function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * `previous` with the StandingDown condition set from `standDown` (or removed when undefined).
 * Its `lastTransitionTime` moves only when it appears; a new message alone is not a transition.
 */
export function standingDownConditions(
  previous: readonly McsCondition[] | undefined,
  standDown: { readonly reason: StandDownReason; readonly message: string } | undefined,
  now: number,
): StandingDownUpdate {
  const list = [...(previous ?? [])];
  const old = list.find((c) => c.type === CONDITION_STANDING_DOWN);
  const others = list.filter((c) => c.type !== CONDITION_STANDING_DOWN);
  if (!standDown) return { conditions: others, changed: old !== undefined };
  const message =
    standDown.message.length > 32768 ? `${standDown.message.slice(0, 32767)}…` : standDown.message;
  const wanted: McsCondition = {
    type: CONDITION_STANDING_DOWN,
    status: 'True',
    reason: standDown.reason,
    message,
    lastTransitionTime: old?.status === 'True' ? old.lastTransitionTime : rfc3339(now),
  };
  const changed = old?.status !== 'True' || old.reason !== wanted.reason || old.message !== wanted.message;
  return { conditions: [...others, wanted], changed };
}
