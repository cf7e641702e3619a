/**
 * The shape of a sandbox: which clusters it has, their ports, address ranges and the
 * files each component reads and writes. Pure: computing a layout touches nothing.
 */
import path from 'node:path';

/** Name of a cluster in the sandbox. The hub is the control plane; members run workloads. */
export type ClusterName = 'hub' | 'member1' | 'member2' | 'member3';

/** Member clusters, in a fixed order. */
export const MEMBERS = ['member1', 'member2'] as const;
/** Every cluster a default sandbox runs, hub first. */
export const CLUSTERS: readonly ClusterName[] = ['hub', ...MEMBERS];
/**
 * Members started only on request (`up({ extraMembers })`), as a bare API server: no nodes,
 * no controllers. The benchmarks use one as a second consumer, where only API writes land.
 */
export const EXTRA_MEMBERS = ['member3'] as const;
/** A member started only on request. */
export type ExtraMember = (typeof EXTRA_MEMBERS)[number];

/** One cluster's place in the sandbox. */
export interface ClusterLayout {
  name: ClusterName;
  /** kube-apiserver's secure port on 127.0.0.1. */
  apiserverPort: number;
  /** etcd key prefix that keeps this cluster's objects apart from the others'. */
  etcdPrefix: string;
  serviceCIDR: string;
  /** Pod CIDR handed to kwok; undefined for the hub, which runs no workloads. */
  podCIDR: string | undefined;
  /** Name of the one fake node kwok manages in a member. */
  nodeName: string | undefined;
  /** Address kwok reports for the fake node (inside the pod CIDR's range). */
  nodeIP: string | undefined;
  /** First pod IP kwok hands out: past the node's address and never the network address. */
  firstPodIP: string | undefined;
}

/** Everything about a sandbox that follows from its folder and its base port. */
export interface SandboxLayout {
  /** Absolute path of the sandbox's state folder (e.g. `<repo>/.sandbox`). */
  dir: string;
  basePort: number;
  etcdClientPort: number;
  etcdPeerPort: number;
  clusters: Record<ClusterName, ClusterLayout>;
  /** The kubeconfig with contexts hub, member1 and member2. */
  kubeconfig: string;
  logsDir: string;
  pidsDir: string;
  pkiDir: string;
  etcdDataDir: string;
  stateFile: string;
  /** Ports the sandbox's own processes may hand out to things under test (webhook, syncer). */
  freePortRange: { from: number; to: number };
}

/** The default base port of the sandbox `make sandbox-up` starts. */
export const DEFAULT_BASE_PORT = 16400;

/**
 * Computes the layout of a sandbox kept in `dir` whose ports start at `basePort`.
 * Ports: etcd base+0/+1, apiservers base+10 (hub), +11, +12; base+20..+99 are left for
 * the processes tests start, so two sandboxes with bases 100 apart never collide.
 */
export function sandboxLayout(dir: string, basePort: number = DEFAULT_BASE_PORT): SandboxLayout {
  if (!Number.isInteger(basePort) || basePort < 1024 || basePort > 65435) {
    throw new Error(`sandbox base port ${basePort} is not an integer between 1024 and 65435`);
  }
  const abs = path.resolve(dir);
  const cluster = (
    name: ClusterName,
    offset: number,
    serviceCIDR: string,
    podCIDR?: string,
    nodeIP?: string,
    firstPodIP?: string,
  ): ClusterLayout => ({
    name,
    apiserverPort: basePort + 10 + offset,
    etcdPrefix: `/${name}`,
    serviceCIDR,
    podCIDR,
    nodeName: podCIDR ? `${name}-node` : undefined,
    nodeIP,
    firstPodIP,
  });
  return {
    dir: abs,
    basePort,
    etcdClientPort: basePort,
    etcdPeerPort: basePort + 1,
    // Pod and service ranges never overlap across clusters, as the seed asks: a flat
    // network between members must be able to route every pod IP to one place.
    clusters: {
      hub: cluster('hub', 0, '10.96.0.0/16'),
      member1: cluster('member1', 1, '10.97.0.0/16', '10.10.0.0/16', '10.10.0.1', '10.10.1.1'),
      member2: cluster('member2', 2, '10.98.0.0/16', '10.20.0.0/16', '10.20.0.1', '10.20.1.1'),
      member3: cluster('member3', 3, '10.99.0.0/16'),
    },
    kubeconfig: path.join(abs, 'kubeconfig'),
    logsDir: path.join(abs, 'logs'),
    pidsDir: path.join(abs, 'pids'),
    pkiDir: path.join(abs, 'pki'),
    etcdDataDir: path.join(abs, 'etcd'),
    stateFile: path.join(abs, 'state.json'),
    freePortRange: { from: basePort + 20, to: basePort + 99 },
  };
}

/** A process the sandbox runs, named `<component>` or `<component>-<cluster>`. */
export interface ComponentId {
  component: 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'kwok';
  cluster?: ClusterName;
}

/** The file-name-safe name of a component instance, e.g. `kube-apiserver-member1`. */
export function componentName(id: ComponentId): string {
  return id.cluster ? `${id.component}-${id.cluster}` : id.component;
}

/** Every process of a sandbox, in start order, with the extra members it was asked for. */
export function allComponents(extraMembers: readonly ExtraMember[] = []): ComponentId[] {
  const ids: ComponentId[] = [{ component: 'etcd' }];
  for (const cluster of [...CLUSTERS, ...extraMembers]) ids.push({ component: 'kube-apiserver', cluster });
  // The hub runs a controller manager too, as Karmada's control plane does: without its
  // namespace controller a deleted namespace would stay Terminating for ever.
  ids.push({ component: 'kube-controller-manager', cluster: 'hub' });
  for (const cluster of MEMBERS) {
    ids.push({ component: 'kube-controller-manager', cluster });
    ids.push({ component: 'kube-scheduler', cluster });
    ids.push({ component: 'kwok', cluster });
  }
  return ids;
}

/** The TCP ports a component listens on (so `down` can check they were released). */
export function portsOf(layout: SandboxLayout, id: ComponentId): number[] {
  if (id.component === 'etcd') return [layout.etcdClientPort, layout.etcdPeerPort];
  if (id.component === 'kube-apiserver' && id.cluster) return [layout.clusters[id.cluster].apiserverPort];
  return [];
}
