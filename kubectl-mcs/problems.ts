/**
 * What is wrong with one MultiClusterService, decided from the facts (facts.ts) and from the
 * syncer's own planner run on them: each problem names where it is and what to check next.
 * Pure: facts in, problems out.
 */
import { CONDITION_ENDPOINTSLICE_DISPATCHED, CONDITION_SERVICE_APPLIED } from '../syncer/api/types.ts';
import { describeOverlaps, findOverlaps } from '../syncer/network/overlaps.ts';
import type { Action } from '../syncer/plan/actions.ts';
import type { ClusterSets } from '../syncer/plan/clusters.ts';
import { serviceCopy } from '../syncer/plan/service.ts';
import type { McsPlan } from '../syncer/plan/types.ts';
import { type DiagnoseFacts, type MemberFacts, memberReady } from './facts.ts';
import { formatAge } from './format.ts';
import { agentNotReporting, type PullProblem, pullProblems } from './pull-problems.ts';
import { behindMs, copiesFrom, countEndpoints, sourceSlices } from './rows.ts';

/** The kinds of problem the diagnosis names. */
export type ProblemCode =
  | 'NotCrossCluster'
  | 'NotReconciled'
  | 'SyncerReportsFailure'
  | 'HubServiceMissing'
  | 'HubServiceUnsupported'
  | 'ClusterNotFound'
  | 'ClusterNotReady'
  | 'NoReadyEndpoints'
  | 'ServiceMissing'
  | 'ServiceDiffers'
  | 'Conflict'
  | 'CopiesMissing'
  | 'CopiesStale'
  | 'CIDROverlap'
  | 'NoKubeDns'
  | 'SyncerNotRunning'
  | 'SyncerNotLeading'
  | 'SyncerNotReady'
  | 'EndpointUnreachable'
  | PullProblem['code'];

/** One problem: what, where, and what to check next. */
export interface Problem {
  readonly code: ProblemCode;
  /** The cluster it is in; undefined for the hub or the syncer. */
  readonly cluster?: string;
  readonly message: string;
  readonly next: string;
}

/** Hub problems that make the syncer withdraw everything: the clusters are then beside the point. */
const WITHDRAWING: readonly ProblemCode[] = ['NotCrossCluster', 'HubServiceMissing', 'HubServiceUnsupported'];

/** Everything wrong, hub and syncer first, then cluster by cluster, then the probes. */
export function findProblems(f: DiagnoseFacts, sets: ClusterSets, plan: McsPlan): Problem[] {
  const hub = hubProblems(f);
  if (hub.some((p) => WITHDRAWING.includes(p.code))) return [...hub, ...syncerProblems(f)];
  return [...hub, ...syncerProblems(f), ...clusterProblems(f, sets, plan), ...probeProblems(f)];
}

function ref(f: DiagnoseFacts): string {
  return `${f.mcs.metadata?.namespace}/${f.mcs.metadata?.name}`;
}

function hubProblems(f: DiagnoseFacts): Problem[] {
  const out: Problem[] = [];
  const types = f.mcs.spec?.types ?? [];
  if (types.length > 0 && !types.includes('CrossCluster')) {
    out.push({
      code: 'NotCrossCluster',
      message: `MultiClusterService ${ref(f)} has spec.types ${types.join(', ')}: mcs-bridge carries out CrossCluster only, so nothing is dispatched`,
      next: 'add CrossCluster to spec.types (LoadBalancer needs a load balancer controller, which mcs-bridge is not)',
    });
    return out;
  }
  if (!f.hubService) {
    out.push({
      code: 'HubServiceMissing',
      message: `no Service ${ref(f)} on the hub: a MultiClusterService exports the hub Service of its own name`,
      next: `kubectl --context <hub> -n ${f.mcs.metadata?.namespace} get service ${f.mcs.metadata?.name}; apply the Service to the hub (not only to the members)`,
    });
  } else {
    const copy = serviceCopy(f.hubService, f.mcs.metadata?.namespace ?? '', f.mcs.metadata?.name ?? '');
    if (!copy.ok)
      out.push({
        code: 'HubServiceUnsupported',
        message: copy.message,
        next: 'export a Service of type ClusterIP, NodePort or LoadBalancer (or headless); ExternalName has no endpoints to dispatch',
      });
  }
  const conditions = f.mcs.status?.conditions ?? [];
  const applied = conditions.find((c) => c.type === CONDITION_SERVICE_APPLIED);
  const generation = f.mcs.metadata?.generation;
  if (!applied || (generation !== undefined && (applied.observedGeneration ?? 0) < generation)) {
    out.push({
      code: 'NotReconciled',
      message: applied
        ? `the syncer last reported on generation ${applied.observedGeneration}, the MultiClusterService is at ${generation}`
        : 'the syncer has reported nothing on this MultiClusterService (no status conditions)',
      next: 'is a syncer running and leading? (see the Syncer line); its log names every MultiClusterService it reconciles',
    });
  }
  for (const c of conditions) {
    if (c.status !== 'False') continue;
    if (c.type !== CONDITION_SERVICE_APPLIED && c.type !== CONDITION_ENDPOINTSLICE_DISPATCHED) continue;
    out.push({
      code: 'SyncerReportsFailure',
      message: `the syncer reports ${c.type} False (${c.reason}) since ${c.lastTransitionTime}: ${c.message}`,
      next: 'the lines below say what is wrong now; kubectl --context <hub> describe mcs shows its events',
    });
  }
  return out;
}

function syncerProblems(f: DiagnoseFacts): Problem[] {
  const out: Problem[] = [];
  const { lease, readyz } = f;
  if (readyz?.state === 'unreachable')
    out.push({
      code: 'SyncerNotRunning',
      message: `the syncer's ${readyz.url}/readyz does not answer: ${readyz.detail}`,
      next: 'is the syncer running? kubectl -n <namespace> get pods -l app.kubernetes.io/name=mcs-bridge, and its logs',
    });
  else if (readyz?.state === 'not-ready')
    out.push({
      code: 'SyncerNotReady',
      message: `the syncer at ${readyz.url} is not ready: ${readyz.detail}`,
      next: 'its log says which cache has not synced (the hub, or the member cluster source)',
    });
  if (lease.state === 'present') {
    const renewed = lease.renewTime ? Date.parse(lease.renewTime) : Number.NaN;
    const duration = (lease.durationSeconds ?? 15) * 1000;
    if (!lease.holder || !Number.isFinite(renewed) || f.now - renewed > duration) {
      const ago = Number.isFinite(renewed) ? `${formatAge(f.now - renewed)} ago` : 'never';
      out.push({
        code: 'SyncerNotLeading',
        message: `no syncer leads: Lease ${lease.ref} was last renewed ${ago}${lease.holder ? ` by ${lease.holder}` : ''}, and lasts ${duration / 1000}s`,
        next: 'are the syncer pods running? kubectl -n <namespace> get pods -l app.kubernetes.io/name=mcs-bridge; a replica that cannot reach the hub cannot renew',
      });
    }
  } else if (lease.state === 'absent' && readyz?.state !== 'ready') {
    out.push({
      code: 'SyncerNotRunning',
      message: `no Lease ${lease.ref} on the hub: no syncer with --leader-elect has run against this hub`,
      next: 'install the chart (it runs the syncer with --leader-elect); if the Lease is named otherwise give --syncer-lease NS/NAME, and for a syncer without leader election give --syncer-url',
    });
  }
  return out;
}

function clusterProblems(f: DiagnoseFacts, sets: ClusterSets, plan: McsPlan): Problem[] {
  const out: Problem[] = [];
  const names = f.members.map((m) => m.name);
  for (const { role, name } of sets.notFound) {
    out.push({
      code: 'ClusterNotFound',
      cluster: name,
      message: `${role} cluster ${name} matches no member cluster (members: ${names.join(', ') || 'none'})`,
      next:
        f.source === 'karmada'
          ? 'kubectl --context <hub> get clusters.cluster.karmada.io: the names in providerClusters/consumerClusters must be Cluster names'
          : 'the names in providerClusters/consumerClusters must be contexts of the member kubeconfig',
    });
  }
  const namespace = f.mcs.metadata?.namespace ?? '';
  const service = f.mcs.metadata?.name ?? '';
  const inSets = f.members.filter(
    (m) => m.read && (sets.providers.has(m.name) || sets.consumers.has(m.name)),
  );
  for (const m of inSets) {
    if (!memberReady(m) && m.pull) {
      out.push(agentNotReporting(m, f.now));
      continue;
    }
    if (!memberReady(m)) {
      out.push({
        code: 'ClusterNotReady',
        cluster: m.name,
        message: `${m.name} is not ready: ${m.sourceReason ?? m.apiDetail ?? 'its API server is not ready'}`,
        next: `the syncer keeps what ${m.name} holds, and what came from it, unchanged until it is ready again; check its API server${f.source === 'karmada' ? ` and kubectl --context <hub> get cluster ${m.name}` : ''}`,
      });
      continue;
    }
    out.push(...pullProblems(m, { provider: sets.providers.has(m.name) }, namespace, service));
    out.push(...serviceProblems(m, plan.actions, namespace, service));
    if (sets.providers.has(m.name)) {
      const counts = countEndpoints(sourceSlices(m, service));
      const selector = Object.entries(f.hubService?.spec?.selector ?? {})
        .map(([k, v]) => `${k}=${v}`)
        .join(',');
      if (counts.ready === 0)
        out.push({
          code: 'NoReadyEndpoints',
          cluster: m.name,
          message: `provider ${m.name} has no ready endpoint for ${namespace}/${service} (${counts.total} in all)`,
          next: selector
            ? `kubectl --context ${m.name} -n ${namespace} get pods -l ${selector}: are the pods the Service selects running and ready there?`
            : `the Service has no selector: whatever writes its EndpointSlices in ${m.name} has written no ready endpoint`,
        });
    }
    if (sets.consumers.has(m.name)) out.push(...consumerProblems(f, m, sets, plan.actions));
  }
  for (const p of plan.status?.problems ?? []) {
    if (['ServiceConflict', 'EndpointSliceConflict', 'NamespaceTerminating'].includes(p.reason))
      out.push({
        code: 'Conflict',
        message: p.message,
        next: 'an object of that name that mcs-bridge does not own is in the way: remove or rename it, or the Service there',
      });
  }
  return out;
}

function serviceProblems(m: MemberFacts, actions: readonly Action[], ns: string, name: string): Problem[] {
  const mine = actions.filter((a) => a.cluster === m.name && a.kind === 'Service');
  if (mine.length === 0) return [];
  if (!m.service)
    return [
      {
        code: 'ServiceMissing',
        cluster: m.name,
        message: `${m.name} has no Service ${ns}/${name}: pods there cannot resolve ${name}.${ns}`,
        next: 'the syncer puts it there: is it running and leading (see the Syncer line)? its log for this cluster says why a write failed',
      },
    ];
  return [
    {
      code: 'ServiceDiffers',
      cluster: m.name,
      message: `Service ${ns}/${name} in ${m.name} is not the hub's (${mine.map((a) => a.reason).join('; ')})`,
      next: 'the syncer corrects it on its next reconcile: is it running? did someone else change it?',
    },
  ];
}

function consumerProblems(
  f: DiagnoseFacts,
  m: MemberFacts,
  sets: ClusterSets,
  actions: readonly Action[],
): Problem[] {
  const out: Problem[] = [];
  const service = f.mcs.metadata?.name ?? '';
  const providers = f.members.filter(
    (p) => p.read && memberReady(p) && sets.providers.has(p.name) && p.name !== m.name,
  );
  const held = copiesFrom(m, new Set(providers.map((p) => p.name)));
  const pending = actions.filter((a) => a.cluster === m.name && a.kind === 'EndpointSlice');
  if (pending.length > 0) {
    const want = providers.flatMap((p) =>
      addressesOf(sourceSlices(p, service)).map((ip) => `${ip} (${p.name})`),
    );
    const have = addressesOf(held);
    const behind = behindMs(f, m, providers);
    const since = behind === undefined ? '' : `; the providers changed them ${formatAge(behind)} ago`;
    out.push(
      held.length === 0
        ? {
            code: 'CopiesMissing',
            cluster: m.name,
            message: `${m.name} holds no copy of the providers' endpoints (they have ${want.join(', ') || 'none'})${since}`,
            next: 'the syncer dispatches them: is it running and leading (see the Syncer line)? its log for this cluster says why a write failed',
          }
        : {
            code: 'CopiesStale',
            cluster: m.name,
            message: `${m.name}'s copies hold ${have.join(', ') || 'no address'}, the providers have ${want.join(', ') || 'none'}${since}`,
            next: 'the syncer follows changes within seconds: is it running and leading? slow or failing writes to this cluster show in its log and in mcs_bridge_syncer_api_requests_total',
          },
    );
  }
  if (m.kubeDns === 'absent')
    out.push({
      code: 'NoKubeDns',
      cluster: m.name,
      message: `${m.name} has no Service kube-system/kube-dns: its pods cannot resolve ${service}.${f.mcs.metadata?.namespace}`,
      next: `kubectl --context ${m.name} -n kube-system get services,pods: is CoreDNS installed, and its Service named kube-dns?`,
    });
  if (m.ranges) {
    const overlaps = findOverlaps(
      providers.map((p) => ({ cluster: p.name, addresses: addressesOf(sourceSlices(p, service)) })),
      [{ cluster: m.name, ranges: m.ranges }],
    );
    if (overlaps.length > 0)
      out.push({
        code: 'CIDROverlap',
        cluster: m.name,
        message: describeOverlaps(overlaps),
        next: `give the clusters pod and Service CIDRs that do not overlap (the guide requires it); ${m.name} cannot reach those endpoints`,
      });
  }
  return out;
}

function probeProblems(f: DiagnoseFacts): Problem[] {
  const p = f.probes;
  if (!p) return [];
  return p.results
    .filter((r) => r.outcome !== 'connected')
    .map((r) => ({
      code: 'EndpointUnreachable' as const,
      cluster: p.cluster,
      message: `${p.from} cannot connect to ${r.ip}:${r.port} (${r.provider}): ${r.detail}`,
      next:
        r.outcome === 'refused'
          ? `the address answers but nothing listens on ${r.port}: is the pod behind it serving? kubectl --context ${r.provider} get pods -o wide`
          : `the pod network between ${p.cluster} and ${r.provider}: routes or tunnels between the clusters (Submariner, a flat network), firewalls, NetworkPolicies`,
    }));
}

/** Every address of some slices, sorted. */
export function addressesOf(slices: readonly { endpoints?: { addresses?: string[] }[] }[]): string[] {
  return slices
    .flatMap((s) => s.endpoints ?? [])
    .flatMap((e) => e.addresses ?? [])
    .sort();
}
