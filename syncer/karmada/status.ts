/**
 * The condition by which an MCS says that mcs-bridge stands down for Karmada's own
 * MultiClusterService controllers. Karmada writes `ServiceApplied` and `EndpointSliceDispatched`
 * itself while it serves, so mcs-bridge leaves those alone and uses a type of its own, present
 * only while it stands down. Pure.
 */
import type { McsCondition } from '../api/types.ts';
import { setConditions } from '../plan/conditions.ts';
import type { StandDownReason } from './decide.ts';

/** Condition type: True while mcs-bridge leaves the MCS to Karmada's MultiClusterService controllers. */
export const CONDITION_STANDING_DOWN = 'mcs-bridge.io/StandingDown';

/** The condition list to write, and whether it differs from `previous` in anything but time. */
export interface StandingDownUpdate {
  readonly conditions: McsCondition[];
  readonly changed: boolean;
}

/**
 * `previous` with the StandingDown condition set from `standDown` (or removed when undefined),
 * through the one place conditions are set (plan/conditions.ts): its `lastTransitionTime`
 * moves only when it appears; a new message alone is not a transition.
 */
export function standingDownConditions(
  previous: readonly McsCondition[] | undefined,
  standDown: { readonly reason: StandDownReason; readonly message: string } | undefined,
  now: number,
): StandingDownUpdate {
  if (!standDown) return setConditions(previous, [], [CONDITION_STANDING_DOWN], now);
  const { reason, message } = standDown;
  const wanted = { type: CONDITION_STANDING_DOWN, status: 'True' as const, reason, message };
  return setConditions(previous, [wanted], [], now);
}
