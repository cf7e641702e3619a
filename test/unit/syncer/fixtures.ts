/**
 * Builders for planner tests: hub and member objects as the API server returns them, snapshots,
 * and a fake engine that carries out a plan the way the API server would (with its defaults).
 */
import type { V1EndpointSlice, V1Namespace, V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import type { MultiClusterService } from '../../../syncer/api/types.ts';
import { serviceForUpdate } from '../../../syncer/engine/service-update.ts';
import {
  FINALIZER_CLEANUP,
  LABEL_SERVICE_NAME,
  LABEL_SLICE_MANAGED_BY,
  SLICE_MANAGER_DEFAULT,
} from '../../../syncer/names.ts';
import type { Action } from '../../../syncer/plan/actions.ts';
import { describeAction } from '../../../syncer/plan/actions.ts';
import { planMcs } from '../../../syncer/plan/plan.ts';
import type { McsSnapshot, MemberSnapshot } from '../../../syncer/plan/snapshot.ts';
import type { McsPlan } from '../../../syncer/plan/types.ts';

export const NS = 'default';
export const SVC = 'nginx';
export const M1 = 'member1';
export const M2 = 'member2';
export const M3 = 'member3';
export const T0 = Date.UTC(2026, 0, 1);

let counter = 0;
/** A fresh uid/resourceVersion pair, as the API server assigns. */
function serverMeta() {
  counter += 1;
  return { uid: `uid-${counter}`, resourceVersion: String(1000 + counter), creationTimestamp: new Date(T0) };
}

/** Options of {@link mcs}. */
export interface McsOptions {
  providers?: string[];
  consumers?: string[];
  types?: ('CrossCluster' | 'LoadBalancer')[];
  finalizer?: boolean;
  deleting?: boolean;
  generation?: number;
}

/** The seed's MultiClusterService (provider member1, consumer member2 unless told otherwise). */
export function mcs(o: McsOptions = {}): MultiClusterService {
  return {
    apiVersion: 'networking.karmada.io/v1alpha1',
    kind: 'MultiClusterService',
    metadata: {
      name: SVC,
      namespace: NS,
      generation: o.generation ?? 1,
      finalizers: o.finalizer === false ? [] : [FINALIZER_CLEANUP],
      ...(o.deleting ? { deletionTimestamp: new Date(T0) } : {}),
    },
    spec: {
      types: o.types ?? ['CrossCluster'],
      providerClusters: (o.providers ?? [M1]).map((name) => ({ name })),
      consumerClusters: (o.consumers ?? [M2]).map((name) => ({ name })),
    },
  };
}

/** The seed's hub Service as the hub API server returns it (defaults applied), with `spec` overrides. */
export function hubService(spec: Partial<V1ServiceSpec> = {}): V1Service {
  return served.service(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: SVC, namespace: NS },
      spec: { ports: [{ port: 80, targetPort: 80 }], selector: { app: 'nginx' }, ...spec },
    },
    '10.96.0.10',
  );
}

/** Options of {@link localSlice}. */
export interface SliceOptions {
  addressType?: string;
  ready?: boolean;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  service?: string;
}

/** A slice as kube-controller-manager's EndpointSlice controller writes it in `cluster`. */
export function localSlice(
  cluster: string,
  name: string,
  ips: string[],
  o: SliceOptions = {},
): V1EndpointSlice {
  return served.slice({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: NS,
      generateName: `${SVC}-`,
      labels: {
        [LABEL_SERVICE_NAME]: o.service ?? SVC,
        [LABEL_SLICE_MANAGED_BY]: SLICE_MANAGER_DEFAULT,
        ...o.labels,
      },
      annotations: {
        'endpoints.kubernetes.io/last-change-trigger-time': '2026-01-01T00:00:00Z',
        ...o.annotations,
      },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: SVC, uid: 'svc-uid', controller: true }],
    },
    addressType: o.addressType ?? 'IPv4',
    endpoints: ips.map((ip, i) => ({
      addresses: [ip],
      conditions: { ready: o.ready ?? true, serving: o.ready ?? true, terminating: false },
      nodeName: `${cluster}-node`,
      zone: 'zone-a',
      targetRef: { kind: 'Pod', namespace: NS, name: `nginx-${cluster}-${i}`, uid: `pod-${cluster}-${i}` },
      hints: { forZones: [{ name: 'zone-a' }] },
    })),
    ports: [{ name: '', protocol: 'TCP', port: 80 }],
  });
}

/** Options of {@link member}. */
export interface MemberOptions {
  ready?: boolean;
  synced?: boolean;
  notReadySince?: number;
  namespace?: V1Namespace | null;
  service?: V1Service;
  slices?: V1EndpointSlice[];
}

/** A member cluster in a snapshot; it has the namespace unless `namespace: null`. */
export function member(name: string, o: MemberOptions = {}): MemberSnapshot {
  const namespace =
    o.namespace === null
      ? undefined
      : (o.namespace ?? { metadata: { name: NS }, status: { phase: 'Active' } });
  return {
    name,
    ready: o.ready ?? true,
    synced: o.synced ?? true,
    notReadySince: o.notReadySince,
    namespace,
    service: o.service,
    endpointSlices: o.slices ?? [],
  };
}

/** A snapshot for the seed's key. */
export function snapshot(o: Partial<McsSnapshot> & { clusters: MemberSnapshot[] }): McsSnapshot {
  return { namespace: NS, name: SVC, hubSynced: true, mcs: mcs(), hubService: hubService(), now: T0, ...o };
}

/** What the API server does to objects it stores: its defaults and allocations. */
export const served = {
  service(svc: V1Service, clusterIP: string, family = 'IPv4'): V1Service {
    const spec = svc.spec ?? {};
    const headless = spec.clusterIP === 'None';
    const ip = headless ? 'None' : (spec.clusterIP ?? clusterIP);
    return {
      ...structuredClone(svc),
      metadata: { ...structuredClone(svc.metadata), ...serverMeta(), managedFields: [{ manager: 'test' }] },
      spec: {
        ...structuredClone(spec),
        type: spec.type ?? 'ClusterIP',
        clusterIP: ip,
        clusterIPs: [ip],
        ipFamilies: spec.ipFamilies ?? [family],
        ipFamilyPolicy: spec.ipFamilyPolicy ?? 'SingleStack',
        sessionAffinity: spec.sessionAffinity ?? 'None',
        ...(spec.sessionAffinity === 'ClientIP' && !spec.sessionAffinityConfig
          ? { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } }
          : {}),
        internalTrafficPolicy: spec.internalTrafficPolicy ?? 'Cluster',
        ports: (spec.ports ?? []).map((p) => ({
          ...p,
          protocol: p.protocol ?? 'TCP',
          targetPort: p.targetPort ?? p.port,
        })),
      },
      status: { loadBalancer: {} },
    };
  },
  slice(slice: V1EndpointSlice): V1EndpointSlice {
    return {
      ...structuredClone(slice),
      metadata: { ...structuredClone(slice.metadata), ...serverMeta(), generation: 1 },
      ports: (slice.ports ?? []).map((p) => ({ ...p, name: p.name ?? '', protocol: p.protocol ?? 'TCP' })),
    };
  },
};

/** Member `cluster`'s IP family in {@link carryOut} (default IPv4). */
export type Families = Record<string, string>;

function carryOutOne(m: MemberSnapshot, a: Action, family: string): MemberSnapshot {
  if (a.kind === 'Namespace') {
    return { ...m, namespace: { metadata: { name: a.name, ...serverMeta() }, status: { phase: 'Active' } } };
  }
  if (a.kind === 'Service') {
    if (a.verb === 'delete') return { ...m, service: undefined };
    const object = a.object as V1Service;
    // As the engine writes it: a create of the copy, or a PUT of the cached object with the
    // owned fields replaced (engine/service-update.ts); the server then defaults what is unset.
    const body: V1Service =
      a.verb === 'update' && m.service
        ? serviceForUpdate(m.service, object, a.expected?.resourceVersion)
        : object;
    const ip = m.service?.spec?.clusterIP ?? `10.${m.name.length}.0.${counter % 250}`;
    return { ...m, service: served.service(body, ip, family) };
  }
  const rest = m.endpointSlices.filter((s) => s.metadata?.name !== a.name);
  if (a.verb === 'delete') return { ...m, endpointSlices: rest };
  return { ...m, endpointSlices: [...rest, served.slice(a.object as V1EndpointSlice)] };
}

/** The snapshot after the engine carried out every action of `plan` successfully. */
export function carryOut(s: McsSnapshot, plan: McsPlan, families: Families = {}): McsSnapshot {
  let clusters = [...s.clusters];
  for (const a of plan.actions) {
    clusters = clusters.map((m) =>
      m.name === a.cluster ? carryOutOne(m, a, families[m.name] ?? 'IPv4') : m,
    );
  }
  let next: McsSnapshot = { ...s, clusters };
  if (plan.finalizer === 'remove' && next.mcs) {
    next = { ...next, mcs: undefined };
  }
  return next;
}

/** Plans and carries out until nothing is left to do; returns the final snapshot and how many rounds wrote. */
export function converge(s: McsSnapshot, families: Families = {}): { state: McsSnapshot; rounds: number } {
  let state = s;
  for (let rounds = 0; rounds < 10; rounds++) {
    const plan = planMcs(state);
    if (plan.actions.length === 0) return { state, rounds };
    state = carryOut(state, plan, families);
  }
  throw new Error('the plan did not converge in 10 rounds');
}

/** The one-line descriptions of a plan's actions. */
export function described(plan: McsPlan): string[] {
  return plan.actions.map(describeAction);
}

/** A member of `s` by name. */
export function memberOf(s: McsSnapshot, name: string): MemberSnapshot {
  const m = s.clusters.find((c) => c.name === name);
  if (!m) throw new Error(`no cluster ${name} in the snapshot`);
  return m;
}

/** `s` with member `name` changed by `change`. */
export function withMember(s: McsSnapshot, name: string, change: Partial<MemberSnapshot>): McsSnapshot {
  return { ...s, clusters: s.clusters.map((m) => (m.name === name ? { ...m, ...change } : m)) };
}

/** The object of action `i` of `plan` (fails the test when it has none). */
export function objectAt<T>(plan: McsPlan, i: number): T {
  const a = plan.actions[i];
  if (a?.object === undefined) throw new Error(`action ${i} has no object`);
  return a.object as T;
}

/** `s` with `slice` put in place of the slice of the same name in member `name`. */
export function withSlice(s: McsSnapshot, name: string, slice: V1EndpointSlice): McsSnapshot {
  const rest = memberOf(s, name).endpointSlices.filter((x) => x.metadata?.name !== slice.metadata?.name);
  return withMember(s, name, { endpointSlices: [...rest, slice] });
}
