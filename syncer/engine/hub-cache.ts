/**
 * What the syncer knows of the hub: every MultiClusterService and every Service.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { MCS_GROUP, MCS_PLURAL, MCS_VERSION, type MultiClusterService } from '../api/types.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import { trimObject } from '../kube/compact.ts';
import { type CacheEvent, Informer } from '../kube/informer.ts';
import { apiListWatch } from '../kube/list-watch.ts';
import type { SyncerMetrics } from './metrics.ts';

/** What happened in the hub cache. */
export type HubEvent =
  | { kind: 'MultiClusterService'; event: CacheEvent; object: MultiClusterService }
  | { kind: 'Service'; event: CacheEvent; object: V1Service };

/** Informer-backed caches of the hub. */
export class HubCache {
  readonly mcs: Informer<MultiClusterService>;
  readonly services: Informer<V1Service>;

  constructor(
    client: KubeClient,
    logger: Logger,
    metrics: SyncerMetrics,
    onEvent: (e: HubEvent) => void,
    /** The hub answers again after an outage. */
    onRecovered: () => void = () => {},
    /** A cache filled by a list (the first one, or one after a 410). */
    onListed: () => void = () => {},
  ) {
    const cluster = client.name;
    this.mcs = new Informer<MultiClusterService>({
      cluster,
      resource: MCS_PLURAL,
      logger,
      source: apiListWatch(client, `/apis/${MCS_GROUP}/${MCS_VERSION}/${MCS_PLURAL}`, {
        transform: trimObject,
      }),
      onEvent: (event, object) => onEvent({ kind: 'MultiClusterService', event, object }),
      onRestart: () => metrics.watchRestarts.inc({ cluster, resource: MCS_PLURAL }),
      onRecovered,
      onListed,
    });
    this.services = new Informer<V1Service>({
      cluster,
      resource: 'services',
      logger,
      source: apiListWatch(client, '/api/v1/services', { transform: trimObject }),
      onEvent: (event, object) => onEvent({ kind: 'Service', event, object }),
      onRestart: () => metrics.watchRestarts.inc({ cluster, resource: 'services' }),
      onListed,
    });
  }

  /** True once both caches have listed. */
  get synced(): boolean {
    return this.mcs.synced && this.services.synced;
  }

  /** Starts the informers. */
  async start(): Promise<void> {
    await Promise.all([this.mcs.start(), this.services.start()]);
  }

  /** Restarts the watches now, from where they were (the hub answers again after an outage). */
  async restart(): Promise<void> {
    await Promise.all([this.mcs.restart(), this.services.restart()]);
  }

  /** Stops the informers. */
  async stop(): Promise<void> {
    await Promise.all([this.mcs.stop(), this.services.stop()]);
  }
}
