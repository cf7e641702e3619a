/**
 * One ServiceImport from the Services of every exporting member (KEP-1645 § Constraints and
 * conflict resolution): the oldest export wins each property, ports are the union of the
 * exporters' ports (a port name or port taken by an older export keeps the older one's values),
 * and every property on which exporters differ is a `Conflict` reason. Pure.
 */
import type { V1Service, V1ServicePort, V1SessionAffinityConfig } from '@kubernetes/client-node';
import { REASON, type ServiceImportPort, type ServiceImportType } from '../api/multicluster.ts';
import { compact, sameValue } from '../plan/equality.ts';
import type { ValidExport } from './exports.ts';
import { byPrecedence } from './exports.ts';

/** Default of `sessionAffinityConfig.clientIP.timeoutSeconds`, set by the API server. */
const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;

/** What the exporters' Services come to together. */
export interface MergedExport {
  /** The exporting clusters, in precedence order (the first one's values win). */
  readonly exporters: readonly string[];
  readonly type: ServiceImportType;
  readonly ports: readonly ServiceImportPort[];
  readonly sessionAffinity?: string;
  readonly sessionAffinityConfig?: V1SessionAffinityConfig;
  readonly internalTrafficPolicy?: string;
  readonly trafficDistribution?: string;
  readonly ipFamilyPolicy?: string;
  readonly ipFamilies?: readonly string[];
  /** KEP-1645 reasons of the `Conflict` condition, in a fixed order; empty when the exporters agree. */
  readonly conflicts: readonly string[];
  /** One line per conflict, naming the clusters that differ from the first. */
  readonly conflictDetails: readonly string[];
}

function typeOf(svc: V1Service): ServiceImportType {
  return svc.spec?.clusterIP === 'None' ? 'Headless' : 'ClusterSetIP';
}

function importPort(p: V1ServicePort): ServiceImportPort {
  return compact({
    name: p.name || undefined,
    protocol: p.protocol ?? 'TCP',
    appProtocol: p.appProtocol,
    port: p.port,
  });
}

function portKey(p: ServiceImportPort): string {
  return `${p.name ?? ''}|${p.protocol ?? 'TCP'}|${p.port}|${p.appProtocol ?? ''}`;
}

function portSet(svc: V1Service): string[] {
  return (svc.spec?.ports ?? []).map((p) => portKey(importPort(p))).sort();
}

function affinityTimeout(svc: V1Service): number | undefined {
  if (svc.spec?.sessionAffinity !== 'ClientIP') return undefined;
  return svc.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS;
}

/**
 * The union of the exporters' ports in precedence order: a later port whose name, or whose
 * port and protocol, an earlier one already holds with other values is left out.
 */
function unionPorts(ordered: readonly ValidExport[]): ServiceImportPort[] {
  const out: ServiceImportPort[] = [];
  for (const e of ordered) {
    for (const p of (e.service.spec?.ports ?? []).map(importPort)) {
      const sameName = out.find((q) => (q.name ?? '') === (p.name ?? ''));
      const samePort = out.find((q) => q.port === p.port && (q.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (sameName || samePort) continue;
      out.push(p);
    }
  }
  return out;
}

/**
 * The properties compared across exporters, each with its Conflict reason; `when` limits a
 * comparison to exporters for which it means something.
 */
const COMPARED: readonly {
  reason: string;
  what: string;
  of: (s: V1Service) => unknown;
  when?: (a: V1Service, b: V1Service) => boolean;
}[] = [
  { reason: REASON.typeConflict, what: 'headlessness', of: typeOf },
  { reason: REASON.portConflict, what: 'ports', of: portSet },
  {
    reason: REASON.sessionAffinityConflict,
    what: 'sessionAffinity',
    of: (s) => s.spec?.sessionAffinity ?? 'None',
  },
  {
    reason: REASON.sessionAffinityConfigConflict,
    what: 'sessionAffinityConfig',
    of: affinityTimeout,
    // Only between ClientIP exporters: a differing sessionAffinity is its own conflict.
    when: (a, b) => affinityTimeout(a) !== undefined && affinityTimeout(b) !== undefined,
  },
  {
    reason: REASON.internalTrafficPolicyConflict,
    what: 'internalTrafficPolicy',
    of: (s) => s.spec?.internalTrafficPolicy ?? 'Cluster',
  },
  {
    reason: REASON.trafficDistributionConflict,
    what: 'trafficDistribution',
    of: (s) => s.spec?.trafficDistribution,
  },
  {
    reason: REASON.ipFamilyConflict,
    what: 'ipFamilies',
    of: (s) => s.spec?.ipFamilies ?? [],
    // A headless Service without a selector gets every family of its cluster: against a
    // ClusterIP exporter that is the TypeConflict already, not a second reason.
    when: (a, b) => typeOf(a) === typeOf(b),
  },
];

/** Merges the valid exports of one Service; undefined when there is none. */
export function mergeExports(valid: readonly ValidExport[]): MergedExport | undefined {
  const ordered = byPrecedence(valid);
  const first = ordered[0];
  if (!first) return undefined;
  const spec = first.service.spec ?? {};
  const conflicts: string[] = [];
  const conflictDetails: string[] = [];
  for (const c of COMPARED) {
    const differ = ordered
      .slice(1)
      .filter(
        (e) =>
          (c.when?.(e.service, first.service) ?? true) && !sameValue(c.of(e.service), c.of(first.service)),
      );
    if (differ.length === 0) continue;
    conflicts.push(c.reason);
    const names = differ.map((e) => e.cluster).join(', ');
    conflictDetails.push(`${c.what} of ${names} differ from ${first.cluster}'s, which win`);
  }
  const affinity = spec.sessionAffinity;
  return compact({
    exporters: ordered.map((e) => e.cluster),
    type: typeOf(first.service),
    ports: unionPorts(ordered),
    sessionAffinity: affinity,
    sessionAffinityConfig:
      affinity === 'ClientIP' && spec.sessionAffinityConfig
        ? structuredClone(spec.sessionAffinityConfig)
        : undefined,
    internalTrafficPolicy: spec.internalTrafficPolicy,
    trafficDistribution: spec.trafficDistribution,
    ipFamilyPolicy: spec.ipFamilyPolicy,
    ipFamilies: spec.ipFamilies ? [...spec.ipFamilies] : undefined,
    conflicts,
    conflictDetails,
  });
}

/**
 * By exporter, the names of its Service's ports that lost a port conflict: the merged ports
 * hold a port of that name with other values (an older export's). kube-proxy gives a Service
 * port the endpoints of every slice port of the same name and protocol, at that slice port's
 * number; so a loser's slice port of that name left in its copies would take a share of the
 * winning port's traffic to a port its pods may not serve. Exporters with no lost port are left out.
 */
export function lostPortNames(valid: readonly ValidExport[]): Map<string, ReadonlySet<string>> {
  const won = new Map(unionPorts(byPrecedence(valid)).map((p) => [p.name ?? '', portKey(p)]));
  const out = new Map<string, ReadonlySet<string>>();
  for (const e of valid) {
    const lost = new Set<string>();
    for (const p of (e.service.spec?.ports ?? []).map(importPort)) {
      const key = won.get(p.name ?? '');
      if (key !== undefined && key !== portKey(p)) lost.add(p.name ?? '');
    }
    if (lost.size > 0) out.set(e.cluster, lost);
  }
  return out;
}
