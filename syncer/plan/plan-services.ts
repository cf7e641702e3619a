/**
 * Plans the Service copies: one in every provider and consumer cluster, none elsewhere.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { ServiceAction } from './actions.ts';
import type { PlanContext } from './context.ts';
import { isDeleting, isWritable } from './context.ts';
import { isOwnedService, serviceDrift } from './service.ts';
import type { Problem } from './types.ts';

/** The Service actions and the conflicts found. */
export interface ServicePlan {
  /** Creates, updates and deletes of Service copies. */
  readonly actions: ServiceAction[];
  /** Foreign Services where a copy is wanted (`ServiceConflict`). */
  readonly problems: Problem[];
}

function expectedOf(svc: V1Service): { uid?: string; resourceVersion?: string } {
  return { uid: svc.metadata?.uid, resourceVersion: svc.metadata?.resourceVersion };
}

/**
 * For each member cluster that can be written now: creates the copy where a provider or
 * consumer lacks it, updates our copy on drift of an owned field (re-creates it when that field
 * is immutable), deletes our copy where it is no longer wanted, and leaves a Service that is not
 * ours untouched, reporting it. Clusters that are not ready, not synced or whose namespace is
 * terminating get nothing.
 */
export function planServices(ctx: PlanContext): ServicePlan {
  const { namespace, name } = ctx.snapshot;
  const actions: ServiceAction[] = [];
  const problems: Problem[] = [];
  const base = { kind: 'Service' as const, namespace, name };
  for (const member of ctx.members.values()) {
    if (!isWritable(member)) continue;
    const cluster = member.name;
    const existing = member.service;
    const sets = ctx.active?.sets;
    const holders = ctx.active?.serviceClusters;
    const wanted =
      ctx.active &&
      (holders ? holders.has(cluster) : sets?.providers.has(cluster) || sets?.consumers.has(cluster));
    if (!ctx.active || !wanted) {
      if (existing && isOwnedService(existing) && !isDeleting(existing)) {
        const reason = ctx.active ? `${cluster} is no longer a provider or consumer` : ctx.withdrawReason;
        actions.push({ ...base, cluster, verb: 'delete', reason, expected: expectedOf(existing) });
      }
      continue;
    }
    const desired = ctx.active.service;
    if (!existing) {
      actions.push({ ...base, cluster, verb: 'create', reason: 'missing', object: structuredClone(desired) });
    } else if (!isOwnedService(existing)) {
      problems.push({
        reason: 'ServiceConflict',
        scope: 'service',
        message: `Service ${namespace}/${name} in ${cluster} is not managed by mcs-bridge and was left unchanged`,
      });
    } else if (!isDeleting(existing)) {
      const drift = serviceDrift(existing, desired);
      if (drift.fields.length === 0) continue;
      const reason = `drift: ${drift.fields.join(', ')}`;
      if (drift.immutable) {
        const expected = expectedOf(existing);
        actions.push({
          ...base,
          cluster,
          verb: 'delete',
          reason: `recreate, ${reason}`,
          expected,
          recreate: true,
        });
        actions.push({
          ...base,
          cluster,
          verb: 'create',
          reason: `recreate, ${reason}`,
          object: structuredClone(desired),
        });
      } else {
        actions.push({
          ...base,
          cluster,
          verb: 'update',
          reason,
          object: structuredClone(desired),
          expected: expectedOf(existing),
        });
      }
    }
  }
  return { actions, problems };
}
