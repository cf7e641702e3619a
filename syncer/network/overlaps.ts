/**
 * Provider endpoints that fall inside a consumer's own pod or Service CIDRs. A packet from a
 * consumer's pod to such an address never leaves the consumer: its own routes (the pod
 * network, or kube-proxy's Service rules) claim it first. The syncer still dispatches them
 * (the user decides); this says which ones, and in what condition to put it. Pure.
 */
import { type Cidr, contains, parseAddress, parseCidr } from './cidr.ts';

/** Which of a cluster's own ranges. */
export type RangeKind = 'pod' | 'service';

/** One range a cluster uses for itself, and where it was read. */
export interface OwnRange {
  readonly cidr: string;
  readonly kind: RangeKind;
  /** Where it comes from, for messages: `node member3-node`, `ServiceCIDR kubernetes`… */
  readonly origin: string;
  /** False for a bound rather than the range itself: an address inside it *may* be in the range. */
  readonly exact: boolean;
}

/** What is known of one cluster's own ranges. */
export interface ClusterRanges {
  readonly ranges: readonly OwnRange[];
  /** What could not be read, e.g. `cannot list nodes: forbidden (HTTP 403)`; empty when all was. */
  readonly unknown: readonly string[];
}

/** The addresses one provider's endpoints hold (its collectable slices). */
export interface ProviderAddresses {
  readonly cluster: string;
  readonly addresses: readonly string[];
}

/** One consumer and what it knows of its own ranges. */
export interface ConsumerRanges {
  readonly cluster: string;
  readonly ranges: ClusterRanges;
}

/** A provider address inside a consumer's range. */
export interface Overlap {
  readonly provider: string;
  readonly consumer: string;
  readonly ip: string;
  readonly range: OwnRange;
}

/**
 * Every (provider address, consumer range) pair where the address lies inside the range,
 * a cluster's own endpoints never checked against itself (they are not dispatched there).
 * In provider, consumer, address order; an address is reported once per consumer, against
 * the first range that holds it (exact ranges before bounds).
 */
export function findOverlaps(
  providers: readonly ProviderAddresses[],
  consumers: readonly ConsumerRanges[],
): Overlap[] {
  const out: Overlap[] = [];
  const parsed = consumers.map((c) => ({
    cluster: c.cluster,
    ranges: [...c.ranges.ranges]
      .sort((a, b) => Number(b.exact) - Number(a.exact))
      .map((range) => ({ range, cidr: parseCidr(range.cidr) }))
      .filter((r): r is { range: OwnRange; cidr: Cidr } => r.cidr !== undefined),
  }));
  for (const p of [...providers].sort((a, b) => compare(a.cluster, b.cluster))) {
    const addresses = [...new Set(p.addresses)].sort(compare);
    for (const c of [...parsed].sort((a, b) => compare(a.cluster, b.cluster))) {
      if (c.cluster === p.cluster) continue;
      for (const ip of addresses) {
        const address = parseAddress(ip);
        const hit = address && c.ranges.find((r) => contains(r.cidr, address));
        if (hit) out.push({ provider: p.cluster, consumer: c.cluster, ip, range: hit.range });
      }
    }
  }
  return out;
}

/** The condition the syncer sets on a MultiClusterService for its overlaps. */
export const CONDITION_ENDPOINTS_OUTSIDE_CONSUMER_CIDRS = 'EndpointsOutsideConsumerCIDRs';

/** That condition, without its times. */
export interface OverlapCondition {
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: 'NoCIDROverlap' | 'CIDROverlap' | 'ConsumerCIDRsUnknown';
  readonly message: string;
}

/** At most this many groups are spelled out in a message; the rest are counted. */
const MAX_GROUPS = 5;
/** At most this many addresses are listed per group. */
const MAX_ADDRESSES = 4;

/**
 * The condition for a set of overlaps: False when there is one (naming provider, addresses,
 * consumer and range), else Unknown when some consumer's ranges could not be read, else True
 * (saying what was checked, by count, so the message stays short for clusters of many nodes).
 */
export function overlapCondition(
  overlaps: readonly Overlap[],
  consumers: readonly ConsumerRanges[],
): OverlapCondition {
  if (overlaps.length > 0)
    return { status: 'False', reason: 'CIDROverlap', message: describeOverlaps(overlaps) };
  const unknown = consumers.filter((c) => c.ranges.unknown.length > 0);
  if (unknown.length > 0) {
    const message = unknown.map((c) => `${c.cluster}: ${c.ranges.unknown.join('; ')}`).join('; ');
    return {
      status: 'Unknown',
      reason: 'ConsumerCIDRsUnknown',
      message: `cannot tell whether provider endpoints fall inside a consumer's own CIDRs: ${message}`,
    };
  }
  if (consumers.length === 0) {
    return { status: 'True', reason: 'NoCIDROverlap', message: 'no consumer cluster to check against' };
  }
  const checked = consumers.map((c) => `${c.cluster} (${countRanges(c.ranges.ranges)})`).join(', ');
  return {
    status: 'True',
    reason: 'NoCIDROverlap',
    message: `no provider endpoint lies inside a consumer's own pod or Service CIDRs; checked ${checked}`,
  };
}

/**
 * One sentence per (provider, consumer, range): `endpoints 10.10.1.1, 10.10.1.2 from member1
 * are inside member3's pod CIDR 10.10.0.0/16 (node member3-node): member3 routes them to itself`.
 */
export function describeOverlaps(overlaps: readonly Overlap[]): string {
  const groups = new Map<string, Overlap[]>();
  for (const o of overlaps) {
    const key = `${o.provider}\0${o.consumer}\0${o.range.kind}\0${o.range.cidr}`;
    groups.set(key, [...(groups.get(key) ?? []), o]);
  }
  const sentences = [...groups.values()].slice(0, MAX_GROUPS).map((g) => {
    const first = g[0] as Overlap;
    const ips = g.map((o) => o.ip);
    const shown =
      ips.slice(0, MAX_ADDRESSES).join(', ') +
      (ips.length > MAX_ADDRESSES ? ` and ${ips.length - MAX_ADDRESSES} more` : '');
    const noun = ips.length === 1 ? 'endpoint' : 'endpoints';
    const verb = first.range.exact ? (ips.length === 1 ? 'is inside' : 'are inside') : 'may be inside';
    const what = first.range.kind === 'pod' ? 'pod CIDR' : 'Service CIDR';
    return `${noun} ${shown} from ${first.provider} ${verb} ${first.consumer}'s ${what} ${first.range.cidr} (${first.range.origin}): ${first.consumer} routes ${ips.length === 1 ? 'it' : 'them'} to itself, not to ${first.provider}`;
  });
  const rest = groups.size - sentences.length;
  return sentences.join('; ') + (rest > 0 ? `; and ${rest} more` : '');
}

function countRanges(ranges: readonly OwnRange[]): string {
  const count = (kind: RangeKind) => ranges.filter((r) => r.kind === kind).length;
  const plural = (n: number, what: string) => `${n === 0 ? 'no' : n} ${what}${n === 1 ? '' : 's'}`;
  return `${plural(count('pod'), 'pod CIDR')}, ${plural(count('service'), 'Service CIDR')}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
