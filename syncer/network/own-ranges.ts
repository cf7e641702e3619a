/**
 * A cluster's own ranges from the objects that hold them, for both readers (the syncer's
 * informers in engine/member-networks.ts, and `kubectl mcs` in kubectl-mcs/read.ts). Pure.
 */
import { serviceRangeBound } from './cidr.ts';
import type { OwnRange } from './overlaps.ts';

/** The fields of a Node that hold its pod CIDRs. */
export interface NodePodCidrs {
  metadata?: { name?: string };
  spec?: { podCIDR?: string; podCIDRs?: string[] };
}

/** The fields of a networking.k8s.io/v1 ServiceCIDR that hold its ranges. */
export interface ServiceCidrObject {
  metadata?: { name?: string };
  spec?: { cidrs?: string[] };
}

/** The pod CIDRs of some Nodes, each once, named after the first node (in name order) that has it. */
export function podRanges(nodes: readonly NodePodCidrs[]): OwnRange[] {
  const ranges = new Map<string, OwnRange>();
  for (const node of [...nodes].sort(byName)) {
    const cidrs = node.spec?.podCIDRs?.length ? node.spec.podCIDRs : [node.spec?.podCIDR];
    for (const cidr of cidrs) {
      if (cidr && !ranges.has(cidr))
        ranges.set(cidr, { cidr, kind: 'pod', origin: `node ${node.metadata?.name}`, exact: true });
    }
  }
  return [...ranges.values()];
}

/** The ranges of some ServiceCIDR objects. */
export function serviceCidrRanges(objects: readonly ServiceCidrObject[]): OwnRange[] {
  return [...objects].sort(byName).flatMap((s) =>
    (s.spec?.cidrs ?? []).map(
      (cidr): OwnRange => ({
        cidr,
        kind: 'service',
        origin: `ServiceCIDR ${s.metadata?.name}`,
        exact: true,
      }),
    ),
  );
}

/**
 * For a cluster that serves no ServiceCIDR API: the widest Service range its `kubernetes`
 * Service's ClusterIP(s) allow (cidr.ts), or why there is none.
 */
export function boundedServiceRanges(
  kubernetes: { spec?: { clusterIP?: string; clusterIPs?: string[] } } | undefined,
): { ranges: OwnRange[]; unknown: string[] } {
  const ips = kubernetes?.spec?.clusterIPs?.length
    ? kubernetes.spec.clusterIPs
    : [kubernetes?.spec?.clusterIP];
  const ranges: OwnRange[] = [];
  for (const ip of ips) {
    const bound = ip ? serviceRangeBound(ip) : undefined;
    if (bound)
      ranges.push({
        cidr: bound.text,
        kind: 'service',
        origin: `the widest range the kubernetes Service's ClusterIP ${ip} allows; this cluster serves no ServiceCIDR API`,
        exact: false,
      });
  }
  const unknown =
    ranges.length === 0
      ? ['it serves no ServiceCIDR API and has no default/kubernetes Service with a ClusterIP']
      : [];
  return { ranges, unknown };
}

function byName(a: { metadata?: { name?: string } }, b: { metadata?: { name?: string } }): number {
  const x = a.metadata?.name ?? '';
  const y = b.metadata?.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
