/**
 * What `kubectl mcs diagnose` read, as plain data: the decisions (report.ts) take these and
 * nothing else, so they can be tested with tables of facts.
 */
import type { V1EndpointSlice, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { MultiClusterService } from '../syncer/api/types.ts';
import type { ClusterRanges } from '../syncer/network/overlaps.ts';
import type { McsSnapshot } from '../syncer/plan/snapshot.ts';

/** The syncer's leader-election Lease on the hub. */
export interface LeaseFacts {
  /** `namespace/name`. */
  readonly ref: string;
  readonly state: 'present' | 'absent' | 'unreadable';
  readonly holder?: string;
  /** RFC 3339 (microseconds), as the API returns it. */
  readonly renewTime?: string;
  readonly durationSeconds?: number;
  /** Why it could not be read (state `unreadable`). */
  readonly error?: string;
}

/** The syncer's /readyz, when --syncer-url was given. */
export interface ReadyzFacts {
  readonly url: string;
  readonly state: 'ready' | 'not-ready' | 'unreachable';
  /** The answer's first line, or why there was none. */
  readonly detail: string;
}

/** One member cluster. Only providers and consumers are read; the rest are known by name. */
export interface MemberFacts {
  readonly name: string;
  /** Whether the member source reports it ready (Karmada's Ready condition; a kubeconfig context always). */
  readonly sourceReady: boolean;
  readonly sourceReason?: string;
  readonly server: string;
  /** Whether it was read (it provides or consumes this MCS). */
  readonly read: boolean;
  /** Whether its API server answered /readyz with 200. */
  readonly apiReady: boolean;
  /** What /readyz answered when not 200. */
  readonly apiDetail?: string;
  /** The MCS's namespace there; undefined when absent. */
  readonly namespace?: V1Namespace;
  /** The Service of the MCS's name there. */
  readonly service?: V1Service;
  /** Every EndpointSlice labelled with the Service's name there (sources and copies). */
  readonly slices: readonly V1EndpointSlice[];
  /** Whether kube-system/kube-dns exists there (read for consumers). */
  readonly kubeDns?: 'present' | 'absent' | 'unknown';
  /** Its own pod and Service CIDRs (read for consumers). */
  readonly ranges?: ClusterRanges;
  /** A Karmada Pull-mode member: read through the Works of its execution space (pull-read.ts). */
  readonly pull?: PullFacts;
}

/** What the hub says of a Pull-mode member, for one Service. */
export interface PullFacts {
  /** mcs-bridge's Works for the Service there: kind, the agent's Applied state, whether it carries a ServiceExport. */
  readonly works: readonly { name: string; kind: string; applied?: string; exports: boolean }[];
  /** How many EndpointSlices of the Service its karmada-agent reported (serviceExport Works). */
  readonly reports: number;
  /** The agent's Lease in karmada-cluster: its last heartbeat. */
  readonly heartbeat?: { state: 'present' | 'absent' | 'unreadable'; renewTime?: string; error?: string };
}

/** What one connect from the probe pod to one endpoint did. */
export interface ProbeResult {
  readonly provider: string;
  readonly ip: string;
  readonly port: number;
  readonly outcome: 'connected' | 'refused' | 'unreachable' | 'failed';
  /** How long it took, or what went wrong. */
  readonly detail: string;
}

/** The probes run from one pod. */
export interface ProbeFacts {
  /** `cluster/namespace/pod`. */
  readonly from: string;
  readonly cluster: string;
  readonly timeoutMs: number;
  readonly results: readonly ProbeResult[];
}

/** Everything one diagnosis is decided from. */
export interface DiagnoseFacts {
  /** When the facts were read (epoch ms). */
  readonly now: number;
  readonly hubServer: string;
  readonly source: 'karmada' | 'kubeconfig';
  readonly mcs: MultiClusterService;
  readonly hubService?: V1Service;
  readonly lease: LeaseFacts;
  readonly readyz?: ReadyzFacts;
  /** Every known member, in name order. */
  readonly members: readonly MemberFacts[];
  readonly probes?: ProbeFacts;
}

/** Whether a member counts as ready for the syncer: its source says so and it answers /readyz. */
export function memberReady(m: MemberFacts): boolean {
  return m.sourceReady && m.apiReady;
}

/**
 * The syncer's planner input built from what was read: what the syncer would see with its
 * caches synced. Members not read (neither provider nor consumer) are not ready, so the
 * planner plans nothing for them.
 */
export function snapshotOf(f: DiagnoseFacts): McsSnapshot {
  return {
    namespace: f.mcs.metadata?.namespace ?? '',
    name: f.mcs.metadata?.name ?? '',
    hubSynced: true,
    mcs: f.mcs,
    hubService: f.hubService,
    clusters: f.members.map((m) => ({
      name: m.name,
      ready: m.read && memberReady(m),
      synced: m.read,
      namespace: m.namespace,
      service: m.service,
      endpointSlices: m.slices,
    })),
    now: f.now,
  };
}

/** The last time anyone wrote an object: the latest of its managedFields times, else its creation. */
export function lastWrite(o: {
  metadata?: { managedFields?: { time?: Date | string }[]; creationTimestamp?: Date | string };
}): number | undefined {
  const times = (o.metadata?.managedFields ?? [])
    .map((m) => (m.time === undefined ? Number.NaN : new Date(m.time).getTime()))
    .filter((t) => Number.isFinite(t));
  if (times.length > 0) return Math.max(...times);
  const created = o.metadata?.creationTimestamp;
  return created === undefined ? undefined : new Date(created).getTime();
}
