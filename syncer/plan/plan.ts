/**
 * `planMcs`: the desired-state planner the engine runs on every reconcile of one MCS key.
 */
import type { V1Namespace } from '@kubernetes/client-node';
import type { MultiClusterService } from '../api/types.ts';
import { EXPOSURE_CROSS_CLUSTER } from '../api/types.ts';
import { FINALIZER_CLEANUP, LABEL_CREATED_BY, MANAGED_BY_MCS_BRIDGE } from '../names.ts';
import type { Action, NamespaceAction } from './actions.ts';
import { sortActions } from './actions.ts';
import { graceDeadline, isLive, isLost, resolveClusterSets } from './clusters.ts';
import type { ActiveMcs, PlanContext } from './context.ts';
import { isDeleting, isTerminating } from './context.ts';
import { planServices } from './plan-services.ts';
import { planSlices } from './plan-slices.ts';
import { isOwnedService, serviceCopy } from './service.ts';
import { isOwnedSlice } from './slices.ts';
import type { McsSnapshot, MemberSnapshot } from './snapshot.ts';
import type { FinalizerOp, McsEvent, McsPlan, Problem } from './types.ts';
import { PROBLEM_REASONS } from './types.ts';

/**
 * Whether the MCS is to be carried out: its types include CrossCluster, or name none at all
 * (our webhook defaults a missing type to CrossCluster; this keeps the syncer consistent with it).
 */
function isCrossCluster(mcs: MultiClusterService): boolean {
  const types = mcs.spec?.types ?? [];
  return types.length === 0 || types.includes(EXPOSURE_CROSS_CLUSTER);
}

/** What the MCS asks for, before looking at the member clusters. */
type Intent =
  | { readonly kind: 'active'; readonly active: ActiveMcs; readonly events: McsEvent[] }
  | { readonly kind: 'withdraw'; readonly reason: string; readonly problem?: Problem };

function intentOf(s: McsSnapshot, known: readonly string[]): Intent {
  const ref = `${s.namespace}/${s.name}`;
  if (!s.mcs) return { kind: 'withdraw', reason: 'MultiClusterService deleted' };
  if (isDeleting(s.mcs)) return { kind: 'withdraw', reason: 'MultiClusterService is being deleted' };
  if (!isCrossCluster(s.mcs)) {
    const types = (s.mcs.spec?.types ?? []).join(', ');
    const message = `spec.types is ${types}: mcs-bridge carries out CrossCluster only and provisions no load balancer`;
    return {
      kind: 'withdraw',
      reason: 'not CrossCluster',
      problem: { reason: 'TypeNotSupported', scope: 'both', message },
    };
  }
  if (!s.hubService || isDeleting(s.hubService)) {
    const message = `Service ${ref} does not exist on the hub`;
    return {
      kind: 'withdraw',
      reason: 'hub Service deleted',
      problem: { reason: 'ServiceNotFound', scope: 'both', message },
    };
  }
  const copy = serviceCopy(s.hubService, s.namespace, s.name);
  if (!copy.ok) {
    const problem: Problem = { reason: 'ServiceTypeNotSupported', scope: 'both', message: copy.message };
    return { kind: 'withdraw', reason: 'hub Service type not supported', problem };
  }
  const events: McsEvent[] = [];
  if (copy.convertedFrom) {
    const message = `Service ${ref} is of type ${copy.convertedFrom} on the hub; its copies in member clusters are of type ClusterIP`;
    events.push({ type: 'Normal', reason: 'ServiceTypeConverted', message });
  }
  return {
    kind: 'active',
    active: { service: copy.object, sets: resolveClusterSets(s.mcs.spec ?? { types: [] }, known) },
    events,
  };
}

/** Problems and events about the clusters themselves; whether the status must wait for a cache. */
function clusterFindings(ctx: PlanContext, active: ActiveMcs) {
  const { namespace, now, unreadyGraceMs } = ctx.snapshot;
  const problems: Problem[] = [];
  const events: McsEvent[] = [];
  let statusHeld = false;
  let requeueAt: number | undefined;
  for (const { role, name } of active.sets.notFound) {
    const message = `${role === 'provider' ? 'Provider' : 'Consumer'} cluster ${name} is not found`;
    problems.push({ reason: 'ClusterNotFound', scope: 'both', message });
    events.push({ type: 'Warning', reason: 'ClusterNotFound', message });
  }
  for (const m of ctx.members.values()) {
    const isProvider = active.sets.providers.has(m.name);
    if (!isProvider && !active.sets.consumers.has(m.name)) continue;
    if (!m.ready) {
      const message = `cluster ${m.name} is not ready: what it holds and what came from it are kept unchanged`;
      problems.push({ reason: 'ClusterNotReady', scope: 'both', message });
      events.push({ type: 'Warning', reason: 'ClusterNotReady', message });
    } else if (!m.synced) {
      statusHeld = true;
    } else if (isTerminating(m.namespace)) {
      const message = `namespace ${namespace} is terminating in ${m.name}`;
      problems.push({ reason: 'NamespaceTerminating', scope: 'both', message });
      events.push({ type: 'Warning', reason: 'NamespaceTerminating', message });
    }
    if (!isProvider) continue;
    if (isLost(m, unreadyGraceMs, now)) {
      const message = `endpoints from ${m.name} are marked not ready: it has been not ready for longer than ${unreadyGraceMs} ms`;
      problems.push({ reason: 'ProviderEndpointsNotReady', scope: 'slices', message });
      events.push({ type: 'Warning', reason: 'ProviderEndpointsNotReady', message });
    } else {
      const deadline = graceDeadline(m, unreadyGraceMs);
      if (deadline !== undefined) requeueAt = Math.min(requeueAt ?? deadline, deadline);
    }
  }
  return { problems, events, statusHeld, requeueAt };
}

/** Namespace creates for clusters that get a create but lack the namespace. */
export function namespaceActions(
  namespace: string,
  members: ReadonlyMap<string, MemberSnapshot>,
  actions: readonly Action[],
): NamespaceAction[] {
  const clusters = new Set(actions.filter((a) => a.verb === 'create').map((a) => a.cluster));
  const out: NamespaceAction[] = [];
  for (const cluster of clusters) {
    if (members.get(cluster)?.namespace) continue;
    const object: V1Namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: { [LABEL_CREATED_BY]: MANAGED_BY_MCS_BRIDGE } },
    };
    out.push({
      kind: 'Namespace',
      verb: 'create',
      cluster,
      namespace: '',
      name: namespace,
      reason: 'missing',
      object,
    });
  }
  return out;
}

function holdsOurs(m: MemberSnapshot): boolean {
  return (m.service !== undefined && isOwnedService(m.service)) || m.endpointSlices.some(isOwnedSlice);
}

/**
 * The finalizer: added to a CrossCluster MCS that lacks it; removed from one being deleted (or
 * no longer CrossCluster) once nothing of ours is left in any cluster that is ready — a cluster
 * that is not ready does not hold the deletion up; its leftovers go when it returns, as the MCS
 * no longer exists then. Until every ready cluster has synced, it stays.
 */
/** After withdrawing writes, how soon the finalizer is looked at again (ms). */
const WITHDRAW_RECHECK_MS = 500;

function finalizerOp(s: McsSnapshot, intent: Intent, actions: readonly Action[]): FinalizerOp {
  if (!s.mcs) return 'keep';
  const has = (s.mcs.metadata?.finalizers ?? []).includes(FINALIZER_CLEANUP);
  if (!isDeleting(s.mcs) && isCrossCluster(s.mcs)) return has ? 'keep' : 'add';
  if (!has || intent.kind === 'active') return 'keep';
  const clean = actions.length === 0 && s.clusters.every((m) => !m.ready || m.synced);
  return clean ? 'remove' : 'keep';
}

function rank(p: Problem): number {
  return PROBLEM_REASONS.indexOf(p.reason);
}

/**
 * Plans one reconcile of an MCS key from the engine's caches: the writes that bring every member
 * cluster to the desired state (none at steady state), the events, the finalizer operation, and
 * the draft of the status. Pure: reads the snapshot, never mutates it, never does I/O.
 *
 * Nothing is planned until the hub caches have synced. A cluster that is not ready or not synced
 * gets no write, and the copies that came from it stay (docs/architecture.md § Rules of behaviour).
 */
export function planMcs(s: McsSnapshot): McsPlan {
  const { namespace, name } = s;
  if (!s.hubSynced) return { namespace, name, actions: [], events: [], finalizer: 'keep' };
  const sorted = [...s.clusters].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const members = new Map(sorted.map((m) => [m.name, m]));
  const intent = intentOf(s, [...members.keys()]);
  const active = intent.kind === 'active' ? intent.active : undefined;
  const ctx: PlanContext = {
    snapshot: s,
    members,
    active,
    withdrawReason: intent.kind === 'withdraw' ? intent.reason : '',
  };
  const services = planServices(ctx);
  const slices = planSlices(ctx);
  const writes: Action[] = [...services.actions, ...slices.actions];
  const actions = sortActions([...namespaceActions(s.namespace, members, writes), ...writes]);
  const finalizer = finalizerOp(s, intent, actions);
  if (!s.mcs) return { namespace, name, actions, events: [], finalizer };
  if (intent.kind === 'withdraw') {
    const events: McsEvent[] = [];
    for (const m of members.values()) {
      if (isLive(m) || !holdsOurs(m)) continue;
      const state = m.ready ? 'has not synced yet' : 'is not ready';
      const message = `cluster ${m.name} ${state}: what mcs-bridge put there will be removed when it can be reached`;
      events.push({ type: 'Warning', reason: 'CleanupDeferred', message });
    }
    // The finalizer goes once a reconcile finds nothing left; the events of our own deletes
    // are echoes and requeue nothing, so this plan asks to be run again itself.
    const recheck =
      actions.length > 0 && (s.mcs.metadata?.finalizers ?? []).includes(FINALIZER_CLEANUP)
        ? { requeueAt: s.now + WITHDRAW_RECHECK_MS }
        : {};
    if (isDeleting(s.mcs)) return { namespace, name, actions, events, finalizer, ...recheck };
    const problems = intent.problem ? [intent.problem] : [];
    const status = {
      observedGeneration: s.mcs.metadata?.generation,
      problems,
      serviceClusters: [],
      providers: [],
      consumers: [],
    };
    return { namespace, name, actions, events, finalizer, status, ...recheck };
  }
  const found = clusterFindings(ctx, intent.active);
  const conflicts = [...services.problems, ...slices.problems];
  const problems = [...found.problems, ...conflicts].sort((a, b) => rank(a) - rank(b));
  const events: McsEvent[] = [
    ...intent.events,
    ...found.events,
    ...conflicts.map((p): McsEvent => ({ type: 'Warning', reason: p.reason, message: p.message })),
  ];
  const { providers, consumers } = intent.active.sets;
  const names = [...members.keys()];
  const status = found.statusHeld
    ? undefined
    : {
        observedGeneration: s.mcs.metadata?.generation,
        problems,
        serviceClusters: names.filter((n) => providers.has(n) || consumers.has(n)),
        providers: names.filter((n) => providers.has(n)),
        consumers: names.filter((n) => consumers.has(n)),
      };
  const plan: McsPlan = { namespace, name, actions, events, finalizer, status };
  return found.requeueAt === undefined ? plan : { ...plan, requeueAt: found.requeueAt };
}
