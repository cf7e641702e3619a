/**
 * `planExport`: the MCS API front end. It turns the members' ServiceExports and Services into
 * the same intent a MultiClusterService states — who provides (the valid exporters), who
 * consumes (every member), the Service to hold (the backing Service) and how to copy the
 * endpoints — and lets the planner's own Service and EndpointSlice planners decide those writes.
 * It adds what only the MCS API has: the ServiceImport in each member and each export's
 * conditions. Pure.
 */
import type { V1Service } from '@kubernetes/client-node';
import { MULTICLUSTER_API_VERSION, type ServiceImport } from '../api/multicluster.ts';
import { backingServiceName, importSliceName, LABEL_MCS_API_SERVICE_NAME } from '../names.ts';
import type { Action, ServiceExportStatusAction, ServiceImportAction } from '../plan/actions.ts';
import { sortActions } from '../plan/actions.ts';
import { setConditions } from '../plan/conditions.ts';
import type { ActiveMcs, PlanContext } from '../plan/context.ts';
import { isDeleting, isWritable } from '../plan/context.ts';
import { namespaceActions } from '../plan/plan.ts';
import { planServices } from '../plan/plan-services.ts';
import { planSlices } from '../plan/plan-slices.ts';
import type { Problem } from '../plan/types.ts';
import { backingService, desiredImport, importDrift, isOwnedImport } from './backing.ts';
import { exportConditions } from './conditions.ts';
import { type ExportVerdict, isUserExport, judgeExport, type ValidExport } from './exports.ts';
import { lostPortNames, type MergedExport, mergeExports } from './merge.ts';
import type { ExportMember, ExportSnapshot } from './snapshot.ts';

/** What one reconcile of an exported Service decides. */
export interface ExportPlan {
  readonly namespace: string;
  readonly name: string;
  /** Writes in members, in the order to make them. */
  readonly actions: readonly Action[];
  /** The merged export, or undefined when no member validly exports the Service. */
  readonly merged?: MergedExport;
  /** The verdict on each member's ServiceExport. */
  readonly verdicts: readonly ExportVerdict[];
  /** Objects of someone else's holding our names (left unchanged). */
  readonly problems: readonly Problem[];
  /**
   * A ClusterSetIP import still lacks its IPs because its backing Service has none in the cache
   * yet (it is being created): the engine looks again once the Service's event is in.
   */
  readonly awaitingIps: boolean;
}

function byName(a: ExportMember, b: ExportMember): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function expectedOf(o: { metadata?: { uid?: string; resourceVersion?: string } }) {
  return { uid: o.metadata?.uid, resourceVersion: o.metadata?.resourceVersion };
}

/** The ServiceImport writes: ours in every live member while the Service is exported, none after. */
function importActions(
  s: ExportSnapshot,
  members: readonly ExportMember[],
  merged: MergedExport | undefined,
  problems: Problem[],
): { actions: ServiceImportAction[]; awaitingIps: boolean } {
  const { namespace, name } = s;
  const out: ServiceImportAction[] = [];
  let awaitingIps = false;
  const base = { kind: 'ServiceImport' as const, namespace, name };
  for (const m of members) {
    if (!isWritable(m)) continue;
    const have = m.serviceImport;
    // Where a MultiClusterService serves the same Service, its Service carries the endpoints.
    const carrier: V1Service | undefined = s.mcsConsumers.has(m.name) ? m.exportedService : m.service;
    const want: ServiceImport | undefined = merged && desiredImport(namespace, name, merged, carrier);
    if (want?.spec?.type === 'ClusterSetIP' && !want.spec.ips) awaitingIps = true;
    if (have && !isOwnedImport(have)) {
      if (want)
        problems.push({
          reason: 'ServiceConflict',
          scope: 'service',
          message: `ServiceImport ${namespace}/${name} in ${m.name} is not managed by mcs-bridge and was left unchanged`,
        });
      continue;
    }
    if (!want) {
      if (have && !isDeleting(have))
        out.push({
          ...base,
          cluster: m.name,
          verb: 'delete',
          reason: 'no cluster exports it',
          expected: expectedOf(have),
        });
      continue;
    }
    if (!have) {
      out.push({ ...base, cluster: m.name, verb: 'create', reason: 'missing', object: want });
      continue;
    }
    if (isDeleting(have)) continue;
    const drift = importDrift(have, want);
    if (drift.length > 0)
      out.push({
        ...base,
        cluster: m.name,
        verb: 'update',
        reason: `drift: ${drift.join(', ')}`,
        object: want,
        expected: expectedOf(have),
      });
  }
  return { actions: out, awaitingIps };
}

/** The condition writes on users' ServiceExports, only where they would change. */
function statusActions(
  s: ExportSnapshot,
  verdicts: readonly ExportVerdict[],
  members: ReadonlyMap<string, ExportMember>,
  merged: MergedExport | undefined,
): ServiceExportStatusAction[] {
  const out: ServiceExportStatusAction[] = [];
  for (const v of verdicts) {
    const m = members.get(v.cluster);
    if (!m || !isWritable(m)) continue;
    const wanted = exportConditions(v, merged);
    const previous = v.serviceExport.status?.conditions;
    const next = setConditions(previous, wanted.set, wanted.remove, s.now);
    // Conditions of other types (another implementation's) stay in place (setConditions).
    if (!next.changed) continue;
    const conditions = next.conditions;
    out.push({
      kind: 'ServiceExport',
      verb: 'update',
      cluster: v.cluster,
      namespace: s.namespace,
      name: s.name,
      reason: 'conditions',
      // A listed object carries no apiVersion and kind, which a custom resource's PUT needs.
      object: {
        ...v.serviceExport,
        apiVersion: MULTICLUSTER_API_VERSION,
        kind: 'ServiceExport',
        status: { ...v.serviceExport.status, conditions },
      },
      expected: expectedOf(v.serviceExport),
    });
  }
  return out;
}

/**
 * Plans one reconcile of the exported Service `namespace/name` across the members: the backing
 * Service and slice copies (by the planner's Service and EndpointSlice planners), the
 * ServiceImports and the ServiceExports' conditions. At steady state it plans nothing.
 */
export function planExport(s: ExportSnapshot): ExportPlan {
  const { namespace, name } = s;
  if (!s.hubSynced) return { namespace, name, actions: [], verdicts: [], problems: [], awaitingIps: false };
  const sorted = [...s.clusters].sort(byName);
  const members = new Map(sorted.map((m) => [m.name, m]));
  const verdicts: ExportVerdict[] = [];
  for (const m of sorted) {
    if (!isUserExport(m.serviceExport)) continue;
    verdicts.push(judgeExport(m.name, m.serviceExport, m.exportedService));
  }
  const valid = verdicts.filter((v): v is ValidExport => v.kind === 'valid');
  const merged = mergeExports(valid);
  const backing = backingServiceName(name);
  let active: ActiveMcs | undefined;
  if (merged) {
    const lost = lostPortNames(valid);
    const consumers = new Set(sorted.map((m) => m.name).filter((n) => !s.mcsConsumers.has(n)));
    active = {
      service: backingService(namespace, backing, name, merged),
      sets: { providers: new Set(merged.exporters), consumers, notFound: [] },
      serviceClusters: consumers,
      copies: {
        sourceService: name,
        includeOwn: true,
        copyName: importSliceName,
        labels: { [LABEL_MCS_API_SERVICE_NAME]: name },
        headless: merged.type === 'Headless',
        leftOutPorts: (provider) => lost.get(provider),
      },
    };
  }
  const ctx: PlanContext = {
    snapshot: {
      namespace,
      name: backing,
      hubSynced: s.hubSynced,
      clusters: sorted,
      now: s.now,
      unreadyGraceMs: s.unreadyGraceMs,
    },
    members,
    active,
    withdrawReason: 'no cluster exports the Service',
  };
  const services = planServices(ctx);
  const slices = planSlices(ctx);
  const problems: Problem[] = [...services.problems, ...slices.problems];
  const imports = importActions(s, sorted, merged, problems);
  const writes: Action[] = [...services.actions, ...slices.actions, ...imports.actions];
  const status = statusActions(s, verdicts, members, merged);
  const actions = sortActions([...namespaceActions(namespace, members, writes), ...writes, ...status]);
  return { namespace, name, actions, merged, verdicts, problems, awaitingIps: imports.awaitingIps };
}
