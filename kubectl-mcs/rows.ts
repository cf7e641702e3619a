/**
 * The table of `kubectl mcs diagnose`: one row per cluster and role, computed from the facts
 * and from what the syncer's own planner would still write (a pending write is a difference).
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { ClusterRanges } from '../syncer/network/overlaps.ts';
import type { Action } from '../syncer/plan/actions.ts';
import { isCollectable, isOwnedSlice, sourceClusterOf } from '../syncer/plan/slices.ts';
import { type DiagnoseFacts, lastWrite, type MemberFacts, memberReady } from './facts.ts';

/** One cluster in one role. */
export interface ClusterRow {
  readonly cluster: string;
  readonly role: 'provider' | 'consumer';
  readonly ready: boolean;
  /** Why it is not ready. */
  readonly notReady?: string;
  /** `ClusterIP 80/TCP`, or undefined when the cluster has no Service of that name. */
  readonly service?: string;
  /** Whether the Service is what the syncer wants there (no write pending). */
  readonly serviceAsHub?: boolean;
  /** Provider: its own endpoints. */
  readonly endpoints?: { readonly ready: number; readonly total: number };
  /** Consumer: the endpoints its copies hold, and whether they are the providers' current ones. */
  readonly copies?: {
    readonly ready: number;
    readonly total: number;
    readonly current: boolean;
    /** How long ago a provider changed what the copies do not show yet (ms), when known. */
    readonly behindMs?: number;
  };
  /** Consumer: kube-system/kube-dns. */
  readonly kubeDns?: 'present' | 'absent' | 'unknown';
  /** Consumer: its own ranges, briefly. */
  readonly cidrs?: string;
}

/** Collectable slices of a provider: its own endpoints (plan/slices.ts's rule). */
export function sourceSlices(m: MemberFacts, service: string): V1EndpointSlice[] {
  return m.slices.filter((s) => isCollectable(s, m.name, service));
}

/** The copies a consumer holds that came from `providers`. */
export function copiesFrom(m: MemberFacts, providers: ReadonlySet<string>): V1EndpointSlice[] {
  return m.slices.filter((s) => isOwnedSlice(s) && providers.has(sourceClusterOf(s) ?? ''));
}

/** Ready and total endpoints of some slices. */
export function countEndpoints(slices: readonly V1EndpointSlice[]): { ready: number; total: number } {
  const all = slices.flatMap((s) => s.endpoints ?? []);
  return { ready: all.filter((e) => e.conditions?.ready !== false).length, total: all.length };
}

/** `ClusterIP 80/TCP,443/TCP` (headless: `ClusterIP None …`). */
export function describeService(svc: V1Service): string {
  const type = svc.spec?.type ?? 'ClusterIP';
  const headless = svc.spec?.clusterIP === 'None' ? ' None' : '';
  const ports = (svc.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',');
  return `${type}${headless} ${ports || 'no ports'}`;
}

/** `pod 10.10.0.0/16; Service 10.98.0.0/16` or what could not be read. */
export function describeRanges(r: ClusterRanges | undefined): string {
  if (!r) return 'not read';
  const list = (kind: 'pod' | 'service') =>
    r.ranges
      .filter((x) => x.kind === kind)
      .map((x) => (x.exact ? x.cidr : `≤${x.cidr}`))
      .join(',') || '-';
  const known = `pod ${list('pod')}; Service ${list('service')}`;
  return r.unknown.length > 0 ? `${known}; unknown: ${r.unknown.join('; ')}` : known;
}

/**
 * How long ago the providers changed what `consumer`'s copies do not show yet: from the last
 * write of the providers' slices against the last write of the consumer's copies
 * (managedFields times). Undefined when the copies are the newer (someone else changed them).
 */
export function behindMs(
  f: DiagnoseFacts,
  consumer: MemberFacts,
  providers: readonly MemberFacts[],
): number | undefined {
  const service = f.mcs.metadata?.name ?? '';
  const changed = Math.max(
    ...providers.flatMap((p) =>
      sourceSlices(p, service).map((s) => lastWrite(s) ?? Number.NEGATIVE_INFINITY),
    ),
  );
  const names = new Set(providers.map((p) => p.name));
  const copied = Math.max(
    ...copiesFrom(consumer, names).map((s) => lastWrite(s) ?? Number.NEGATIVE_INFINITY),
    Number.NEGATIVE_INFINITY,
  );
  if (!Number.isFinite(changed) || changed <= copied) return undefined;
  return Math.max(0, f.now - changed);
}

/** The rows, providers first, each in name order. */
export function clusterRows(
  f: DiagnoseFacts,
  sets: { providers: ReadonlySet<string>; consumers: ReadonlySet<string> },
  actions: readonly Action[],
): ClusterRow[] {
  const service = f.mcs.metadata?.name ?? '';
  const pending = (cluster: string, kind: Action['kind']) =>
    actions.some((a) => a.cluster === cluster && a.kind === kind);
  const rows: ClusterRow[] = [];
  const base = (m: MemberFacts, role: ClusterRow['role']) => ({
    cluster: m.name,
    role,
    ready: memberReady(m),
    notReady: memberReady(m) ? undefined : (m.sourceReason ?? m.apiDetail ?? 'not ready'),
    service: m.service ? describeService(m.service) : undefined,
    serviceAsHub: memberReady(m) ? !pending(m.name, 'Service') && m.service !== undefined : undefined,
  });
  for (const m of f.members.filter((x) => sets.providers.has(x.name) && x.read)) {
    rows.push({ ...base(m, 'provider'), endpoints: countEndpoints(sourceSlices(m, service)) });
  }
  for (const m of f.members.filter((x) => sets.consumers.has(x.name) && x.read)) {
    const providers = f.members.filter((p) => sets.providers.has(p.name) && p.name !== m.name && p.read);
    const copies = copiesFrom(m, new Set(providers.map((p) => p.name)));
    const current = memberReady(m) && !pending(m.name, 'EndpointSlice');
    rows.push({
      ...base(m, 'consumer'),
      copies: {
        ...countEndpoints(copies),
        current,
        behindMs: current ? undefined : behindMs(f, m, providers),
      },
      kubeDns: m.kubeDns,
      cidrs: describeRanges(m.ranges),
    });
  }
  return rows;
}
