/**
 * The shape of the data plane on one machine: which network namespaces stand for the
 * members' nodes and pods, their addresses and links, and where DNS lives. Pure: computing
 * it touches nothing, so the names and addresses can be read and tested in one place.
 *
 * ```
 *   member1 node netns (10.10.0.1)            member2 node netns (10.20.0.1)
 *     │ pod-1-1 ─ eth0  pod netns 10.10.1.1     │ kube-proxy (nftables), CoreDNS on 10.20.0.1:53
 *     │ pod-1-2 ─ eth0  pod netns 10.10.1.2     │ pod-1-1 ─ eth0  client netns 10.20.1.1
 *     └ to-member2 ─────────────────────────────┘ to-member1     (the flat routed pod network)
 * ```
 * Every address lives inside a namespace of its own: the root namespace gets no interface,
 * address, route or rule, so several sandboxes (and the machine itself) are never disturbed.
 */
import { createHash } from 'node:crypto';
import type { SandboxLayout } from '../sandbox/layout.ts';

/** A member whose node the data plane builds. */
export type DataPlaneMember = 'member1' | 'member2';

/** One member's node namespace. */
export interface NodeTopology {
  member: DataPlaneMember;
  /** Name of the network namespace standing for the member's (kwok) node. */
  netns: string;
  /** The node's address: kwok's node IP, so the Node object and the namespace agree. */
  ip: string;
  podCIDR: string;
  serviceCIDR: string;
  /** The interface of the node-to-node link inside this node's namespace. */
  linkDevice: string;
}

/** Everything the data plane of one sandbox is made of. */
export interface DataPlaneTopology {
  /** Start of every namespace name of this sandbox, so cleanup finds exactly its own. */
  prefix: string;
  nodes: Record<DataPlaneMember, NodeTopology>;
  /** The client "pod" namespace in member2 that runs curl. */
  clientNetns: string;
  /** Cluster IP of member2's kube-dns Service (the 10th address, as kubeadm picks it). */
  dnsServiceIP: string;
  /** Folder of the sandbox's data-plane files (Corefile, kube-proxy config, sockets). */
  dir: string;
}

/** The members whose nodes get a namespace, in build order. */
export const DATAPLANE_MEMBERS: readonly DataPlaneMember[] = ['member1', 'member2'];

/**
 * The common start of every namespace name of the sandbox in `dir`: a hash of the folder,
 * so two sandboxes on one machine never share or delete each other's namespaces.
 */
export function netnsPrefix(dir: string): string {
  return `mcsb-${createHash('sha256').update(dir).digest('hex').slice(0, 8)}`;
}

/** Computes the data plane of a sandbox from its layout. */
export function dataPlaneTopology(layout: SandboxLayout): DataPlaneTopology {
  const prefix = netnsPrefix(layout.dir);
  const node = (member: DataPlaneMember, peer: DataPlaneMember): NodeTopology => {
    const c = layout.clusters[member];
    if (!c.nodeIP || !c.podCIDR) throw new Error(`sandbox cluster ${member} has no node IP or pod CIDR`);
    return {
      member,
      netns: `${prefix}-${member}-node`,
      ip: c.nodeIP,
      podCIDR: c.podCIDR,
      serviceCIDR: c.serviceCIDR,
      linkDevice: `to-${peer}`,
    };
  };
  return {
    prefix,
    nodes: { member1: node('member1', 'member2'), member2: node('member2', 'member1') },
    clientNetns: `${prefix}-member2-client`,
    dnsServiceIP: nthAddress(layout.clusters.member2.serviceCIDR, 10),
    dir: `${layout.dir}/dataplane`,
  };
}

/** The namespace of a member's "pod" with this IP, e.g. `mcsb-1a2b3c4d-member1-pod-10-10-1-1`. */
export function podNetns(topology: DataPlaneTopology, member: DataPlaneMember, ip: string): string {
  return `${topology.prefix}-${member}-pod-${ip.replaceAll('.', '-')}`;
}

/**
 * The node-side name of a pod's veth: `pod-<3rd>-<4th octet>` (at most 11 characters, under
 * the kernel's 15), unique within a node because its pod CIDR is a /16.
 */
export function podVeth(ip: string): string {
  const [, , c, d] = ip.split('.');
  return `pod-${c}-${d}`;
}

/** The resolv.conf of a pod in `namespace`, as the kubelet writes it for ClusterFirst. */
export function resolvConf(topology: DataPlaneTopology, namespace: string): string {
  return [
    `nameserver ${topology.dnsServiceIP}`,
    `search ${namespace}.svc.cluster.local svc.cluster.local cluster.local`,
    'options ndots:5',
    '',
  ].join('\n');
}

/** The `n`th address of an IPv4 CIDR (0 is the network address). */
export function nthAddress(cidr: string, n: number): string {
  const [base, bits] = cidr.split('/');
  const octets = (base ?? '').split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) {
    throw new Error(`'${cidr}' is not an IPv4 CIDR`);
  }
  if (n < 0 || n >= 2 ** (32 - Number(bits))) throw new Error(`${cidr} has no address number ${n}`);
  const value = octets.reduce((acc, o) => acc * 256 + o, 0) + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
