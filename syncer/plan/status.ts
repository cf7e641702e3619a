/**
 * `statusFor`: the MCS conditions and events once the engine has carried out a plan.
 */
import type { McsCondition } from '../api/types.ts';
import { CONDITION_ENDPOINTSLICE_DISPATCHED, CONDITION_SERVICE_APPLIED } from '../api/types.ts';
import type { Action } from './actions.ts';
import { actionKey } from './actions.ts';
import { setConditions } from './conditions.ts';
import { type McsEvent, type McsPlan, PROBLEM_REASONS, type Problem, type StatusDraft } from './types.ts';

/** What became of one action: no `error` means it succeeded. */
export interface ActionResult {
  /** The action, as planned. */
  readonly action: Action;
  /** The cause of the failure (the API's message), if it failed. */
  readonly error?: string;
  /**
   * Set when the object exists and is not ours (found by the write, not in the caches): it was
   * left alone, and the MCS reports it as a ServiceConflict or EndpointSliceConflict.
   */
  readonly conflict?: string;
}

/** Conditions to write and events to record after a reconcile. */
export interface StatusUpdate {
  /** The full condition list: `previous` with ours replaced. */
  readonly conditions: McsCondition[];
  /** Whether `conditions` differ from `previous` in anything but time (write the status only then). */
  readonly changed: boolean;
  /** Events for the writes: failures, and a success summary when something was written. */
  readonly events: McsEvent[];
}

/** What `statusFor` needs besides the plan and the results. */
export interface StatusContext {
  /** Current time (epoch ms), for `lastTransitionTime`. */
  readonly now: number;
  /** The MCS's current `status.conditions`. */
  readonly previous?: readonly McsCondition[];
}

type Side = 'service' | 'slices';

function sideOf(a: Action): Side {
  return a.kind === 'EndpointSlice' ? 'slices' : 'service';
}

function failureMessage(a: Action, cause: string): string {
  const ref = a.kind === 'Namespace' ? a.name : `${a.namespace}/${a.name}`;
  return `failed to ${a.verb === 'delete' ? 'delete' : 'apply'} ${a.kind} ${ref} in ${a.cluster}: ${cause}`;
}

function summary(done: readonly Action[]): string {
  const parts: string[] = [];
  for (const verb of ['create', 'update', 'delete'] as const) {
    const clusters = [...new Set(done.filter((a) => a.verb === verb).map((a) => a.cluster))].sort();
    if (clusters.length > 0) parts.push(`${verb}d in ${clusters.join(', ')}`);
  }
  return parts.join('; ');
}

function condition(
  type: string,
  draft: StatusDraft,
  problems: readonly Problem[],
  failures: readonly string[],
  failedReason: string,
  success: { reason: string; message: string },
): Omit<McsCondition, 'lastTransitionTime'> {
  const base = { type, observedGeneration: draft.observedGeneration };
  const first = problems[0];
  if (failures.length === 0 && !first) return { ...base, status: 'True', ...success };
  // Failed writes outrank everything but the hub-side problems, which make every write moot.
  const hubSide =
    first && ['ServiceNotFound', 'TypeNotSupported', 'ServiceTypeNotSupported'].includes(first.reason);
  const reason = failures.length > 0 && !hubSide ? failedReason : (first?.reason ?? failedReason);
  const message = [...failures, ...problems.map((p) => p.message)].join('; ');
  return { ...base, status: 'False', reason, message };
}

function successMessages(draft: StatusDraft) {
  const list = (names: readonly string[]) => (names.length > 0 ? names.join(', ') : 'none');
  return {
    service: {
      reason: 'ServiceAppliedSucceed',
      message: `Service is propagated to target clusters: ${list(draft.serviceClusters)}`,
    },
    slices: {
      reason: 'EndpointSliceDispatchedSucceed',
      message: `EndpointSlices are dispatched from ${list(draft.providers)} to ${list(draft.consumers)}`,
    },
  };
}

/**
 * Computes the `ServiceApplied` and `EndpointSliceDispatched` conditions (Karmada's names) and
 * the events of a reconcile, from the plan and what became of each of its actions. An action
 * with no result counts as failed ("not attempted"). `lastTransitionTime` changes only with
 * `status`, and `changed` is false when nothing but time would change, so a steady state writes
 * no status. Namespace and Service writes bear on `ServiceApplied`, slice writes on
 * `EndpointSliceDispatched`.
 */
export function statusFor(plan: McsPlan, results: readonly ActionResult[], ctx: StatusContext): StatusUpdate {
  const byKey = new Map(results.map((r) => [actionKey(r.action), r]));
  const failures: Record<Side, string[]> = { service: [], slices: [] };
  const done: Record<Side, Action[]> = { service: [], slices: [] };
  const conflicts: Problem[] = [];
  for (const action of plan.actions) {
    const result = byKey.get(actionKey(action));
    const side = sideOf(action);
    if (result?.conflict !== undefined) {
      const reason = side === 'slices' ? 'EndpointSliceConflict' : 'ServiceConflict';
      conflicts.push({ reason, scope: side, message: result.conflict });
    } else if (result && result.error === undefined) done[side].push(action);
    else failures[side].push(failureMessage(action, result?.error ?? 'not attempted'));
  }
  const events: McsEvent[] = [
    ...conflicts.map((p): McsEvent => ({ type: 'Warning', reason: p.reason, message: p.message })),
    ...failures.service.map(
      (message): McsEvent => ({ type: 'Warning', reason: 'SyncServiceFailed', message }),
    ),
    ...failures.slices.map(
      (message): McsEvent => ({ type: 'Warning', reason: 'DispatchEndpointSliceFailed', message }),
    ),
  ];
  if (done.service.length > 0 && failures.service.length === 0) {
    events.push({
      type: 'Normal',
      reason: 'SyncServiceSucceed',
      message: `Service ${summary(done.service)}`,
    });
  }
  if (done.slices.length > 0 && failures.slices.length === 0) {
    events.push({
      type: 'Normal',
      reason: 'DispatchEndpointSliceSucceed',
      message: `EndpointSlices ${summary(done.slices)}`,
    });
  }
  const previous = [...(ctx.previous ?? [])];
  const draft = plan.status;
  if (!draft) return { conditions: previous, changed: false, events };
  const success = successMessages(draft);
  const problems = [...draft.problems, ...conflicts].sort(
    (a, b) => PROBLEM_REASONS.indexOf(a.reason) - PROBLEM_REASONS.indexOf(b.reason),
  );
  const onSide = (side: Side) => problems.filter((p) => p.scope === side || p.scope === 'both');
  const wanted = [
    condition(
      CONDITION_SERVICE_APPLIED,
      draft,
      onSide('service'),
      failures.service,
      'ServiceAppliedFailed',
      success.service,
    ),
    condition(
      CONDITION_ENDPOINTSLICE_DISPATCHED,
      draft,
      onSide('slices'),
      failures.slices,
      'EndpointSliceDispatchedFailed',
      success.slices,
    ),
  ];
  return { ...setConditions(previous, wanted, [], ctx.now), events };
}
