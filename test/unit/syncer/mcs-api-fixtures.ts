/**
 * Builders for the MCS API front end's tests: members with a Service and a ServiceExport, the
 * snapshot of one exported Service, and a fake engine that carries out an export plan as the
 * API server would (allocating the backing Service's cluster IP, storing ServiceImports and
 * conditions).
 */
import type { V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import type { ServiceExport, ServiceImport } from '../../../syncer/api/multicluster.ts';
import type { ExportPlan } from '../../../syncer/mcs-api/plan.ts';
import { planExport } from '../../../syncer/mcs-api/plan.ts';
import type { ExportMember, ExportSnapshot } from '../../../syncer/mcs-api/snapshot.ts';
import { describeAction } from '../../../syncer/plan/actions.ts';
import type { McsPlan } from '../../../syncer/plan/types.ts';
import { carryOut, localSlice, member, NS, SVC, served, T0 } from './fixtures.ts';

/** The user's Service `nginx` in a member, as its API server returns it, with `spec` overrides. */
export function userService(spec: Partial<V1ServiceSpec> = {}): V1Service {
  return served.service(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SVC, namespace: NS },
      spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }], selector: { app: 'nginx' }, ...spec },
    },
    '10.96.0.20',
  );
}

/** A user's ServiceExport of `nginx`, made `ageSeconds` after T0. */
export function serviceExport(ageSeconds = 0, labels: Record<string, string> = {}): ServiceExport {
  return {
    apiVersion: 'multicluster.x-k8s.io/v1beta1',
    kind: 'ServiceExport',
    metadata: {
      name: SVC,
      namespace: NS,
      uid: `export-${ageSeconds}`,
      resourceVersion: '1',
      generation: 1,
      labels,
      creationTimestamp: new Date(T0 + ageSeconds * 1000),
    },
  };
}

/** Options of {@link exportMember}. */
export interface ExportMemberOptions {
  service?: V1Service;
  serviceExport?: ServiceExport;
  serviceImport?: ServiceImport;
  ips?: string[];
  ready?: boolean;
  synced?: boolean;
}

/** A member for the MCS API front end; `ips` are the exported Service's endpoints. */
export function exportMember(name: string, o: ExportMemberOptions = {}): ExportMember {
  const base = member(name, { ready: o.ready, synced: o.synced });
  return {
    ...base,
    exportedService: o.service,
    serviceExport: o.serviceExport,
    serviceImport: o.serviceImport,
    sourceSlices: o.ips ? [localSlice(name, `${SVC}-${name}`, o.ips)] : [],
  };
}

/** The snapshot of `default/nginx`. */
export function exportSnapshot(clusters: ExportMember[], o: Partial<ExportSnapshot> = {}): ExportSnapshot {
  return { namespace: NS, name: SVC, hubSynced: true, clusters, mcsConsumers: new Set(), now: T0, ...o };
}

let rv = 100;
/** The snapshot after every action of `plan` succeeded, as the members' API servers store them. */
export function carryOutExport(s: ExportSnapshot, plan: ExportPlan): ExportSnapshot {
  // The Service, slice and namespace writes go through the MCS planner's fake engine.
  const generic = plan.actions.filter((a) => a.kind !== 'ServiceImport' && a.kind !== 'ServiceExport');
  const asMcs = { namespace: NS, name: SVC, hubSynced: true, clusters: s.clusters, now: s.now };
  const mcsPlan: McsPlan = { namespace: NS, name: SVC, actions: generic, events: [], finalizer: 'keep' };
  const after = carryOut(asMcs, mcsPlan).clusters;
  const clusters = s.clusters.map((m, i) => {
    let next: ExportMember = { ...m, ...after[i] };
    for (const a of plan.actions.filter((x) => x.cluster === m.name)) {
      rv += 1;
      if (a.kind === 'ServiceImport') {
        const si = a.verb === 'delete' ? undefined : (structuredClone(a.object) as ServiceImport);
        if (si) si.metadata = { ...si.metadata, uid: `si-${m.name}`, resourceVersion: String(rv) };
        next = { ...next, serviceImport: si };
      } else if (a.kind === 'ServiceExport') {
        const se = structuredClone(a.object);
        se.metadata = { ...se.metadata, resourceVersion: String(rv) };
        next = { ...next, serviceExport: se };
      }
    }
    return next;
  });
  return { ...s, clusters };
}

/** Plans and carries out until nothing is left to do. */
export function convergeExport(s: ExportSnapshot): { state: ExportSnapshot; rounds: number } {
  let state = s;
  for (let rounds = 0; rounds < 10; rounds++) {
    const plan = planExport(state);
    if (plan.actions.length === 0) return { state, rounds };
    state = carryOutExport(state, plan);
  }
  throw new Error('the export plan did not converge in 10 rounds');
}

/** The one-line descriptions of a plan's actions. */
export function describedExport(plan: ExportPlan): string[] {
  return plan.actions.map(describeAction);
}

/** A member of `s` by name. */
export function exportMemberOf(s: ExportSnapshot, name: string): ExportMember {
  const m = s.clusters.find((c) => c.name === name);
  if (!m) throw new Error(`no cluster ${name} in the snapshot`);
  return m;
}

/** The condition `type` of member `name`'s ServiceExport, as `status/reason`. */
export function exportCondition(s: ExportSnapshot, name: string, type: string): string | undefined {
  const c = exportMemberOf(s, name).serviceExport?.status?.conditions?.find((x) => x.type === type);
  return c && `${c.status}/${c.reason}`;
}
