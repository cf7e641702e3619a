/**
 * What the karmada-agents of Pull-mode members say of the syncer's Works, on the MCS status.
 * A write into a Pull member succeeds when its Work is written; whether the object reached the
 * member is the agent's Applied condition on that Work, which the member cache carries on each
 * object it read from a Work (pull-works.ts, ANNOTATION_WORK_APPLIED). A copy whose Work the
 * agent refused turns `ServiceApplied` or `EndpointSliceDispatched` False (reason
 * `WorkNotApplied`) with the agent's message, as a refused write does for a Push member.
 * A Work the agent has not reported on yet counts as neither. Pure.
 */
import {
  CONDITION_ENDPOINTSLICE_DISPATCHED,
  CONDITION_SERVICE_APPLIED,
  type McsCondition,
} from '../api/types.ts';
import { isOwnedService } from '../plan/service.ts';
import { isOwnedSlice } from '../plan/slices.ts';
import type { McsSnapshot } from '../plan/snapshot.ts';
import type { StatusUpdate } from '../plan/status.ts';
import type { McsEvent } from '../plan/types.ts';
import { ANNOTATION_WORK_APPLIED, ANNOTATION_WORK_REF } from './pull-works.ts';

/** Reason of a condition turned False by a Work its agent did not apply. */
export const REASON_WORK_NOT_APPLIED = 'WorkNotApplied';

/** Why a Work of one object was not applied, or undefined when it was (or is not reported on yet). */
function refusal(
  o: { metadata?: { annotations?: Record<string, string> } } | undefined,
  what: string,
  cluster: string,
): string | undefined {
  const state = o?.metadata?.annotations?.[ANNOTATION_WORK_APPLIED];
  if (!state?.startsWith('False')) return undefined;
  const work = o?.metadata?.annotations?.[ANNOTATION_WORK_REF] ?? 'its Work';
  return `${what} in ${cluster}: Work ${work} not applied by the cluster's karmada-agent: ${state.replace(/^False:\s*/, '')}`;
}

/** The Works of this MCS's copies that their agents refused, per condition. */
export function workRefusals(snapshot: McsSnapshot): { service: string[]; slices: string[] } {
  const service: string[] = [];
  const slices: string[] = [];
  for (const c of snapshot.clusters) {
    if (c.service && isOwnedService(c.service)) {
      const why = refusal(c.service, `Service ${snapshot.namespace}/${snapshot.name}`, c.name);
      if (why) service.push(why);
    }
    for (const s of c.endpointSlices) {
      if (!isOwnedSlice(s)) continue;
      const why = refusal(s, `EndpointSlice ${snapshot.namespace}/${s.metadata?.name ?? ''}`, c.name);
      if (why) slices.push(why);
    }
  }
  return { service, slices };
}

/**
 * `update` with the refusals put on its conditions: a True condition turns False with reason
 * {@link REASON_WORK_NOT_APPLIED}; a False one keeps its reason and gains the messages. `changed`
 * is recomputed against `previous`, `lastTransitionTime` kept while the status stays, and a
 * Warning event added per refusal when the conditions changed.
 */
export function amendWithWorkRefusals(
  update: StatusUpdate,
  refusals: { service: string[]; slices: string[] },
  previous: readonly McsCondition[] | undefined,
  now: string,
): StatusUpdate {
  if (refusals.service.length + refusals.slices.length === 0) return update;
  const bySide: Record<string, string[]> = {
    [CONDITION_SERVICE_APPLIED]: refusals.service,
    [CONDITION_ENDPOINTSLICE_DISPATCHED]: refusals.slices,
  };
  const conditions = update.conditions.map((c) => {
    const found = bySide[c.type];
    if (!found || found.length === 0) return c;
    const old = previous?.find((p) => p.type === c.type);
    const amended: McsCondition =
      c.status === 'False'
        ? { ...c, message: [c.message, ...found].join('; ') }
        : { ...c, status: 'False', reason: REASON_WORK_NOT_APPLIED, message: found.join('; ') };
    amended.lastTransitionTime = old && old.status === amended.status ? old.lastTransitionTime : now;
    return amended;
  });
  const same = (a: McsCondition, b: McsCondition | undefined) =>
    b !== undefined &&
    a.status === b.status &&
    a.reason === b.reason &&
    a.message === b.message &&
    a.observedGeneration === b.observedGeneration;
  const changed =
    conditions.length !== (previous?.length ?? 0) ||
    conditions.some(
      (c) =>
        !same(
          c,
          previous?.find((p) => p.type === c.type),
        ),
    );
  const events: McsEvent[] = changed
    ? [...refusals.service, ...refusals.slices].map((message) => ({
        type: 'Warning',
        reason: REASON_WORK_NOT_APPLIED,
        message,
      }))
    : [];
  return { ...update, conditions, changed, events: [...update.events, ...events] };
}
