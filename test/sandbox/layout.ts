/**
 * The shape of a sandbox: which clusters it has, their ports, address ranges and the
 * files each component reads and writes. Pure: computing a layout touches nothing.
 */
import path from 'node:path';

/**
 * Name of a cluster in the sandbox. The hub is the control plane (karmada-apiserver in a
 * Karmada sandbox); members run workloads; karmada-host stands for the cluster Karmada's
 * own pods run in.
 */
export type ClusterName = 'hub' | 'member1' | 'member2' | 'member3' | 'karmada-host';

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
/**
 * The bare API server a Karmada sandbox adds as karmada-host: the cluster where Karmada's
 * components, and mcs-bridge's pods when installed the Karmada way, would run. No nodes and
 * no controllers: only the objects Helm puts there are looked at.
 */
export const KARMADA_HOST = 'karmada-host' as const;

/** What a Karmada sandbox runs besides the clusters (`up({ karmada })`). */
export interface KarmadaOptions {
  /**
   * Karmada's MultiClusterService feature gate and its three controllers (multiclusterservice,
   * endpointsliceCollect, endpointsliceDispatch) in karmada-controller-manager. Off by default,
   * as in Karmada.
   */
  multiClusterService: boolean;
  /**
   * The client rate limit of karmada-controller-manager and karmada-scheduler, toward the hub
   * (`--kube-api-qps`/`--kube-api-burst`) and, for the controller manager, toward each member
   * (`--cluster-api-qps`/`--cluster-api-burst`). Undefined: Karmada's defaults (40/s, burst 60).
   */
  apiRateLimit?: { qps: number; burst: number };
  /**
   * Members joined in Pull mode, the way `karmadactl register` joins one: a karmada-agent per
   * member (test/sandbox/karmada-agent.ts) with a kubeconfig to the hub limited by register's
   * RBAC and one to its member; the agent makes the Cluster (`syncMode: Pull`). The others join
   * in Push mode. Undefined or empty: all Push.
   */
  pullMembers?: readonly PullMember[];
}

/** A member that may join Karmada in Pull mode. */
export type PullMember = (typeof MEMBERS)[number];

/** Ports of Karmada's control-plane programs, all on 127.0.0.1. */
export interface KarmadaPorts {
  /** karmada-aggregated-apiserver (serves cluster.karmada.io through the hub's aggregator). */
  aggregatedApiserver: number;
  /** karmada-webhook's HTTPS admission port. */
  webhook: number;
  webhookHealth: number;
  webhookMetrics: number;
  controllerManagerHealth: number;
  controllerManagerMetrics: number;
  schedulerHealth: number;
  schedulerMetrics: number;
  /** Each member's karmada-agent (Pull mode): health and metrics ports. */
  agents: Record<PullMember, { health: number; metrics: number }>;
}

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
  /** Ports of Karmada's programs (used only by a Karmada sandbox). */
  karmada: KarmadaPorts;
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
 * Ports: etcd base+0/+1; Karmada's programs base+2..+9 (aggregated apiserver +2, webhook
 * +3/+4/+5, controller manager +6/+7, scheduler +8/+9); apiservers base+10 (hub), +11
 * (member1), +12 (member2), +13 (member3), +14 (karmada-host); the karmada-agents of Pull
 * members +15/+16 (member1) and +17/+18 (member2); base+20..+99 are left for the
 * processes tests start, so two sandboxes with bases 100 apart never collide.
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
      [KARMADA_HOST]: cluster(KARMADA_HOST, 4, '10.100.0.0/16'),
    },
    karmada: {
      aggregatedApiserver: basePort + 2,
      webhook: basePort + 3,
      webhookHealth: basePort + 4,
      webhookMetrics: basePort + 5,
      controllerManagerHealth: basePort + 6,
      controllerManagerMetrics: basePort + 7,
      schedulerHealth: basePort + 8,
      schedulerMetrics: basePort + 9,
      agents: {
        member1: { health: basePort + 15, metrics: basePort + 16 },
        member2: { health: basePort + 17, metrics: basePort + 18 },
      },
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

/** Karmada's control-plane programs, in start order; each serves the hub. */
export const KARMADA_COMPONENTS = [
  'karmada-aggregated-apiserver',
  'karmada-webhook',
  'karmada-controller-manager',
  'karmada-scheduler',
] as const;
/** One of Karmada's programs. */
export type KarmadaComponent = (typeof KARMADA_COMPONENTS)[number];

/** A process the sandbox runs, named `<component>` or `<component>-<cluster>`. */
export interface ComponentId {
  component:
    | 'etcd'
    | 'kube-apiserver'
    | 'kube-controller-manager'
    | 'kube-scheduler'
    | 'kwok'
    | KarmadaComponent
    | 'karmada-agent';
  cluster?: ClusterName;
}

/** The shape of a sandbox beyond its folder and ports: what `up` was asked to run. */
export interface SandboxShape {
  extraMembers?: readonly ExtraMember[];
  /** Karmada's control plane on the hub, and karmada-host (undefined: no Karmada). */
  karmada?: KarmadaOptions;
}

/** Every cluster a sandbox of this shape runs, hub first. */
export function clustersOf(shape: SandboxShape = {}): ClusterName[] {
  return [...CLUSTERS, ...(shape.extraMembers ?? []), ...(shape.karmada ? [KARMADA_HOST] : [])];
}

/** The file-name-safe name of a component instance, e.g. `kube-apiserver-member1`. */
export function componentName(id: ComponentId): string {
  return id.cluster ? `${id.component}-${id.cluster}` : id.component;
}

/** Every process of a sandbox of this shape, in start order. */
export function allComponents(shape: SandboxShape = {}): ComponentId[] {
  const ids: ComponentId[] = [{ component: 'etcd' }];
  for (const cluster of clustersOf(shape)) ids.push({ component: 'kube-apiserver', cluster });
  // The hub runs a controller manager too, as Karmada's control plane does: without its
  // namespace controller a deleted namespace would stay Terminating for ever.
  ids.push({ component: 'kube-controller-manager', cluster: 'hub' });
  // karmada-host's too, for the same reason: a release's namespace must go when deleted.
  if (shape.karmada) ids.push({ component: 'kube-controller-manager', cluster: KARMADA_HOST });
  for (const cluster of MEMBERS) {
    ids.push({ component: 'kube-controller-manager', cluster });
    ids.push({ component: 'kube-scheduler', cluster });
    ids.push({ component: 'kwok', cluster });
  }
  if (shape.karmada) for (const component of KARMADA_COMPONENTS) ids.push({ component });
  for (const cluster of shape.karmada?.pullMembers ?? []) ids.push({ component: 'karmada-agent', cluster });
  return ids;
}

/** Every process any sandbox may run (for stopping one whose shape is unknown). */
export const EVERY_SHAPE: SandboxShape = {
  extraMembers: EXTRA_MEMBERS,
  karmada: { multiClusterService: false, pullMembers: MEMBERS },
};

/** The TCP ports a component listens on (so `down` can check they were released). */
export function portsOf(layout: SandboxLayout, id: ComponentId): number[] {
  if (id.component === 'etcd') return [layout.etcdClientPort, layout.etcdPeerPort];
  if (id.component === 'kube-apiserver' && id.cluster) return [layout.clusters[id.cluster].apiserverPort];
  const k = layout.karmada;
  switch (id.component) {
    case 'karmada-aggregated-apiserver':
      return [k.aggregatedApiserver];
    case 'karmada-webhook':
      return [k.webhook, k.webhookHealth, k.webhookMetrics];
    case 'karmada-controller-manager':
      return [k.controllerManagerHealth, k.controllerManagerMetrics];
    case 'karmada-scheduler':
      return [k.schedulerHealth, k.schedulerMetrics];
    case 'karmada-agent': {
      const a = k.agents[id.cluster as PullMember];
      return a ? [a.health, a.metrics] : [];
    }
  }
  return [];
}
