/**
 * What the syncer knows of one member cluster: its Namespaces, Services and
 * EndpointSlices (only slices that belong to a Service), and an index of those slices by
 * `namespace/service`, so that building one MCS's snapshot never scans a namespace.
 */
import type { V1EndpointSlice, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { ServiceExport, ServiceImport } from '../api/multicluster.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import { compactSlice, trimObject } from '../kube/compact.ts';
import { type CacheEvent, Informer } from '../kube/informer.ts';
import { apiListWatch } from '../kube/list-watch.ts';
import { LABEL_SERVICE_NAME } from '../names.ts';
import { MemberMcsApi } from './member-mcs-api.ts';
import { MemberNetworks } from './member-networks.ts';
import type { SyncerMetrics } from './metrics.ts';

/** What happened in a member cache, for the controller to map to MCS keys. */
export type MemberEvent =
  | { kind: 'Namespace'; event: CacheEvent; object: V1Namespace }
  | { kind: 'Service'; event: CacheEvent; object: V1Service }
  | { kind: 'EndpointSlice'; event: CacheEvent; object: V1EndpointSlice }
  | { kind: 'ServiceExport'; event: CacheEvent; object: ServiceExport }
  | { kind: 'ServiceImport'; event: CacheEvent; object: ServiceImport }
  // The member's own pod or Service CIDRs changed (member-networks.ts); `object` names the cluster.
  | { kind: 'ClusterNetworks'; event: CacheEvent; object: V1Namespace };

/** Options of a {@link MemberCache}. */
export interface MemberCacheOptions {
  client: KubeClient;
  logger: Logger;
  metrics: SyncerMetrics;
  onEvent: (cluster: string, e: MemberEvent) => void;
  /** Called once, when all three caches have listed for the first time. */
  onSynced?: () => void;
  /** Whether to watch the member's ServiceExports and ServiceImports (`--mcs-api`, not Pull members). */
  mcsApi?: boolean;
}

/** Informer-backed caches of one member cluster. */
export class MemberCache {
  readonly namespaces: Informer<V1Namespace>;
  readonly services: Informer<V1Service>;
  readonly slices: Informer<V1EndpointSlice>;
  /** The member's own address ranges; best effort, never part of {@link synced}. */
  readonly networks: MemberNetworks;
  /** Its ServiceExports and ServiceImports, with `--mcs-api`; never part of {@link synced}. */
  readonly mcsApi?: MemberMcsApi;
  /** `namespace/service` → slice name → slice. */
  private readonly slicesByService = new Map<string, Map<string, V1EndpointSlice>>();
  /** `namespace/slice` → the `namespace/service` bucket it is in. */
  private readonly serviceOfSlice = new Map<string, string>();
  private announced = false;

  constructor(private readonly o: MemberCacheOptions) {
    const { client, logger, metrics } = o;
    const cluster = client.name;
    const common = {
      cluster,
      logger,
      onRestart: (resource: string) => () => metrics.watchRestarts.inc({ cluster, resource }),
      onListed: () => {
        if (this.synced && !this.announced) {
          this.announced = true;
          o.onSynced?.();
        }
      },
    };
    const sources = {
      namespaces: apiListWatch<V1Namespace>(client, '/api/v1/namespaces', { transform: trimObject }),
      services: apiListWatch<V1Service>(client, '/api/v1/services', { transform: trimObject }),
      // Only slices that name a Service: those are the sources and the copies.
      slices: apiListWatch<V1EndpointSlice>(client, '/apis/discovery.k8s.io/v1/endpointslices', {
        labelSelector: LABEL_SERVICE_NAME,
        transform: compactSlice,
      }),
    };
    this.namespaces = new Informer<V1Namespace>({
      ...common,
      resource: 'namespaces',
      source: sources.namespaces,
      onEvent: (event, object) => o.onEvent(cluster, { kind: 'Namespace', event, object }),
      onRestart: common.onRestart('namespaces'),
    });
    this.services = new Informer<V1Service>({
      ...common,
      resource: 'services',
      source: sources.services,
      onEvent: (event, object) => {
        if (object.metadata?.name === 'kubernetes' && object.metadata.namespace === 'default')
          this.networks.kubernetesServiceChanged();
        o.onEvent(cluster, { kind: 'Service', event, object });
      },
      onRestart: common.onRestart('services'),
    });
    this.slices = new Informer<V1EndpointSlice>({
      ...common,
      resource: 'endpointslices',
      source: sources.slices,
      onEvent: (event, object) => {
        this.index(event, object);
        o.onEvent(cluster, { kind: 'EndpointSlice', event, object });
      },
      onRestart: common.onRestart('endpointslices'),
    });
    if (o.mcsApi) {
      this.mcsApi = new MemberMcsApi({
        client,
        logger,
        metrics,
        onExport: (event, object) => o.onEvent(cluster, { kind: 'ServiceExport', event, object }),
        onImport: (event, object) => o.onEvent(cluster, { kind: 'ServiceImport', event, object }),
        // Keys that wait for these caches are reconciled once they list, as for a synced member.
        onSynced: () => o.onSynced?.(),
      });
    }
    this.networks = new MemberNetworks({
      client,
      logger,
      metrics,
      kubernetesService: () => ({
        synced: this.services.synced,
        service: this.services.get('kubernetes', 'default'),
      }),
      onChange: () =>
        o.onEvent(cluster, {
          kind: 'ClusterNetworks',
          event: 'update',
          object: { metadata: { name: cluster } },
        }),
    });
  }

  /** The cluster's name. */
  get cluster(): string {
    return this.o.client.name;
  }

  /** True once all three caches have listed. */
  get synced(): boolean {
    return this.namespaces.synced && this.services.synced && this.slices.synced;
  }

  /** Starts the informers (resolves after their first attempt). */
  async start(): Promise<void> {
    await Promise.all([
      this.namespaces.start(),
      this.services.start(),
      this.slices.start(),
      this.networks.start(),
      this.mcsApi?.start(),
    ]);
  }

  /** Stops the informers. */
  async stop(): Promise<void> {
    await Promise.all([
      this.namespaces.stop(),
      this.services.stop(),
      this.slices.stop(),
      this.networks.stop(),
      this.mcsApi?.stop(),
    ]);
  }

  /** Restarts the watches now (after the cluster came back from an outage). */
  async restart(): Promise<void> {
    await Promise.all([
      this.namespaces.restart(),
      this.services.restart(),
      this.slices.restart(),
      this.networks.restart(),
      this.mcsApi?.restart(),
    ]);
  }

  /** The slices labelled for one Service. Cached objects: never modify them. */
  slicesOf(namespace: string, service: string): V1EndpointSlice[] {
    return [...(this.slicesByService.get(`${namespace}/${service}`)?.values() ?? [])];
  }

  /** Every `namespace/service` that has at least one slice here. */
  serviceKeys(): string[] {
    return [...this.slicesByService.keys()];
  }

  private index(event: CacheEvent, slice: V1EndpointSlice): void {
    const ns = slice.metadata?.namespace ?? '';
    const sliceName = slice.metadata?.name ?? '';
    const sliceKey = `${ns}/${sliceName}`;
    const svc = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
    const previous = this.serviceOfSlice.get(sliceKey);
    const next = event === 'delete' || !svc ? undefined : `${ns}/${svc}`;
    // A slice's service label can change: take it out of its old bucket.
    if (previous !== undefined && previous !== next) {
      const bucket = this.slicesByService.get(previous);
      bucket?.delete(sliceName);
      if (bucket?.size === 0) this.slicesByService.delete(previous);
    }
    if (next === undefined) {
      this.serviceOfSlice.delete(sliceKey);
      return;
    }
    this.serviceOfSlice.set(sliceKey, next);
    let bucket = this.slicesByService.get(next);
    if (!bucket) {
      bucket = new Map();
      this.slicesByService.set(next, bucket);
    }
    bucket.set(sliceName, slice);
  }
}
