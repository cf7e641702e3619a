/**
 * One reconcile of one Service exported through the Kubernetes MCS API: the snapshot from the
 * caches, the front end's plan (mcs-api/plan.ts), and its writes through the same executor,
 * write lanes and echo registry as a MultiClusterService's. There is no hub object to put a
 * status on: what a user can act on goes onto the ServiceExports' own conditions (planned), and
 * an object of someone else's holding our name into the log.
 */
import type { Logger } from 'pino';
import type { Clocks } from '../../lib/timers.ts';
import { planExport } from '../mcs-api/plan.ts';
import { type Action, describeAction } from '../plan/actions.ts';
import type { Member } from './clusters.ts';
import type { WriteEchoes } from './echoes.ts';
import { type ExecutionTarget, executeActions } from './executor.ts';
import { buildExportSnapshot } from './export-snapshot.ts';
import type { HubCache } from './hub-cache.ts';
import type { WriteLanes } from './write-lanes.ts';

/** What an export's reconcile needs of the controller. */
export interface ExportReconcileDeps {
  hub: HubCache;
  sourceSynced: boolean;
  members: readonly Member[];
  clocks: Clocks;
  unreadyGraceMs?: number;
  logger: Logger;
  echoes: WriteEchoes;
  lanes: WriteLanes;
  target: (cluster: string) => ExecutionTarget | undefined;
}

/** A reconcile's failure, with the clusters whose answers failed it (the queue backs off by them). */
export class ExportReconcileError extends Error {
  constructor(
    message: string,
    readonly origins: readonly string[],
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Carries out the plan of the exported Service `namespace/name`; says whether to retry. */
export async function reconcileExport(
  key: string,
  ref: { namespace: string; name: string },
  d: ExportReconcileDeps,
): Promise<{ retry?: boolean; origins?: readonly string[]; waiting?: boolean }> {
  const snapshot = buildExportSnapshot(ref.namespace, ref.name, {
    hub: d.hub,
    sourceSynced: d.sourceSynced,
    members: d.members,
    now: d.clocks.wall(),
    monotonicNow: d.clocks.monotonic(),
    unreadyGraceMs: d.unreadyGraceMs,
  });
  const plan = planExport(snapshot);
  const exported = `${ref.namespace}/${ref.name}`;
  for (const p of plan.problems) d.logger.warn({ export: exported, reason: p.reason }, p.message);
  // The event of our own backing Service's create is an echo and requeues nothing: the IPs it
  // was given are awaited with the queue's backoff instead.
  const waiting = plan.awaitingIps ? { waiting: true } : {};
  if (plan.actions.length === 0) return waiting;
  const refOf = (a: Action) => ({ cluster: a.cluster, kind: a.kind, namespace: a.namespace, name: a.name });
  const executed = await executeActions(
    plan.actions,
    d.target,
    {
      sending: (a) => d.echoes.sending(refOf(a)),
      answered: (a, outcome) => {
        d.echoes.answered(refOf(a), outcome);
        if (outcome !== 'failed')
          d.logger.info({ export: exported, cluster: a.cluster, reason: a.reason }, describeAction(a));
      },
    },
    { lanes: d.lanes, key },
  );
  const failed = executed.filter((r) => r.error !== undefined);
  if (failed.length > 0) {
    const first = failed[0];
    const waits = failed.map((r) => r.retryAfterMs ?? 0);
    throw new ExportReconcileError(
      `${failed.length} of ${executed.length} writes for exported Service ${exported} failed, first: ${first ? `${describeAction(first.action)}: ${first.error}` : ''}`,
      [...new Set(failed.map((r) => r.action.cluster))],
      Math.max(...waits) || undefined,
    );
  }
  const changed = executed.filter((r) => r.stale || r.conflict !== undefined);
  if (changed.length > 0) return { retry: true, origins: [...new Set(changed.map((r) => r.action.cluster))] };
  return waiting;
}
