/**
 * What the syncer knows of one member cluster's own address ranges, for the overlap check
 * (network/overlaps.ts): the pod CIDRs of its Nodes (`spec.podCIDRs`) and its Service CIDRs
 * (networking.k8s.io/v1 ServiceCIDR objects, or — where that API is not served — the bound
 * the `kubernetes` Service's ClusterIP implies). One trimmed informer per kind: a Node is
 * kept as its name and pod CIDRs only, so its frequent status updates cost a comparison.
 *
 * Best effort by design: a member whose Nodes cannot be read (an older member-rbac.yaml)
 * still syncs; the check then says Unknown and why. Nothing here holds up the member cache.
 */
import type { KubernetesObject, V1ObjectMeta, V1Service } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeApiError } from '../../lib/kube-errors.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import { Informer } from '../kube/informer.ts';
import { apiListWatch } from '../kube/list-watch.ts';
import type { ClusterRanges } from '../network/overlaps.ts';
import { boundedServiceRanges, podRanges, serviceCidrRanges } from '../network/own-ranges.ts';
import type { SyncerMetrics } from './metrics.ts';

/** A Node as this cache keeps it. */
interface NodeRanges extends KubernetesObject {
  spec?: { podCIDR?: string; podCIDRs?: string[] };
}

/** A networking.k8s.io/v1 ServiceCIDR as this cache keeps it. */
interface ServiceCidr extends KubernetesObject {
  spec?: { cidrs?: string[] };
}

const SERVICE_CIDR_GROUP = '/apis/networking.k8s.io/v1';

/** Options of {@link MemberNetworks}. */
export interface MemberNetworksOptions {
  client: KubeClient;
  logger: Logger;
  metrics: SyncerMetrics;
  /** The member's `default/kubernetes` Service from its Service cache, and whether that cache has synced. */
  kubernetesService: () => { synced: boolean; service?: V1Service };
  /** The ranges changed (or became known): MCS with this consumer are due a new look. */
  onChange: () => void;
  /** Bound on the discovery request (default 10 s). */
  timeoutMs?: number;
}

/** Informers of one member's Nodes and ServiceCIDRs. */
export class MemberNetworks {
  private readonly nodes: Informer<NodeRanges>;
  private readonly serviceCidrs: Informer<ServiceCidr>;
  /** Whether the member serves the ServiceCIDR API; undefined until discovery answered. */
  private serviceCidrApi: boolean | undefined;
  private stopped = true;
  private lastFingerprint = '';
  private checkQueued = false;

  constructor(private readonly o: MemberNetworksOptions) {
    const { client, logger, metrics } = o;
    const cluster = client.name;
    const common = { cluster, logger, onEvent: () => this.changed() };
    this.nodes = new Informer<NodeRanges>({
      ...common,
      resource: 'nodes',
      source: apiListWatch<NodeRanges>(client, '/api/v1/nodes', { transform: trimNode }),
      onRestart: () => {
        metrics.watchRestarts.inc({ cluster, resource: 'nodes' });
        this.changed();
      },
    });
    this.serviceCidrs = new Informer<ServiceCidr>({
      ...common,
      resource: 'servicecidrs',
      source: apiListWatch<ServiceCidr>(client, `${SERVICE_CIDR_GROUP}/servicecidrs`, {
        transform: trimServiceCidr,
      }),
      onRestart: () => {
        metrics.watchRestarts.inc({ cluster, resource: 'servicecidrs' });
        this.changed();
      },
    });
  }

  /** Starts the informers in the background: nothing waits for them. */
  async start(): Promise<void> {
    this.stopped = false;
    void this.nodes.start();
    void this.discoverAndWatch();
  }

  /** Stops the informers. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([this.nodes.stop(), this.serviceCidrs.stop()]);
  }

  /** Restarts the watches (the cluster is back from an outage; it may have been upgraded meanwhile). */
  async restart(): Promise<void> {
    if (this.stopped) return;
    await this.nodes.restart();
    if (this.serviceCidrApi === false) {
      this.serviceCidrApi = undefined;
      void this.discoverAndWatch();
    } else await this.serviceCidrs.restart();
  }

  /**
   * The member's own ranges, or undefined while they are still being read for the first time
   * (the caller then leaves its verdict as it was, so a restart does not flap it).
   */
  ranges(): ClusterRanges | undefined {
    const pods = this.podRanges();
    const services = this.serviceRanges();
    if (!pods || !services) return undefined;
    return { ranges: [...pods.ranges, ...services.ranges], unknown: [...pods.unknown, ...services.unknown] };
  }

  private podRanges(): ClusterRanges | undefined {
    if (!this.nodes.synced) {
      return this.nodes.error
        ? { ranges: [], unknown: [`cannot list nodes: ${this.nodes.error}`] }
        : undefined;
    }
    return { ranges: podRanges(this.nodes.list()), unknown: [] };
  }

  private serviceRanges(): ClusterRanges | undefined {
    if (this.serviceCidrApi === undefined) return undefined;
    if (this.serviceCidrApi) {
      if (!this.serviceCidrs.synced) {
        const error = this.serviceCidrs.error;
        return error ? { ranges: [], unknown: [`cannot list servicecidrs: ${error}`] } : undefined;
      }
      return { ranges: serviceCidrRanges(this.serviceCidrs.list()), unknown: [] };
    }
    const { synced, service } = this.o.kubernetesService();
    return synced ? boundedServiceRanges(service) : undefined;
  }

  /** Asks whether the ServiceCIDR API is served, then watches it if it is. */
  private async discoverAndWatch(): Promise<void> {
    const { client, logger, timeoutMs = 10_000 } = this.o;
    try {
      const list = await client.request<{ resources?: { name?: string }[] }>('get', {
        method: 'GET',
        path: SERVICE_CIDR_GROUP,
        timeoutMs,
      });
      this.serviceCidrApi = (list?.resources ?? []).some((r) => r.name === 'servicecidrs');
    } catch (err) {
      // 404: the whole group version is not served. Anything else: try the watch, whose
      // own retries and errors then tell.
      this.serviceCidrApi = (err as { code?: number }).code !== 404;
      if (this.serviceCidrApi)
        logger.debug(
          { cluster: client.name },
          `cannot discover the ServiceCIDR API of ${client.name}: ${describeApiError(err)}`,
        );
    }
    if (this.stopped) return;
    if (this.serviceCidrApi) await this.serviceCidrs.start();
    this.changed();
  }

  /** The member's `default/kubernetes` Service changed (it bounds the Service range on older clusters). */
  kubernetesServiceChanged(): void {
    if (this.serviceCidrApi === false) this.changed();
  }

  /** Coalesces a burst of events (the first list of many nodes) into one comparison. */
  private changed(): void {
    if (this.checkQueued) return;
    this.checkQueued = true;
    setImmediate(() => {
      this.checkQueued = false;
      const fingerprint = JSON.stringify(this.ranges() ?? 'pending');
      if (fingerprint === this.lastFingerprint) return;
      this.lastFingerprint = fingerprint;
      this.o.onChange();
    });
  }
}

function trimMeta(meta: V1ObjectMeta | undefined): V1ObjectMeta {
  return { name: meta?.name, uid: meta?.uid, resourceVersion: meta?.resourceVersion };
}

function trimNode(node: NodeRanges): NodeRanges {
  return {
    metadata: trimMeta(node.metadata),
    spec: { podCIDR: node.spec?.podCIDR, podCIDRs: node.spec?.podCIDRs },
  };
}

function trimServiceCidr(s: ServiceCidr): ServiceCidr {
  return { metadata: trimMeta(s.metadata), spec: { cidrs: s.spec?.cidrs } };
}
