/**
 * What the syncer knows of one member's Kubernetes MCS API objects: its ServiceExports and
 * ServiceImports (`multicluster.x-k8s.io/v1beta1`), for the MCS API front end
 * (mcs-api/plan.ts). Apart from the member cache's own `synced`: a member without the CRDs
 * (charts/mcs-bridge/member-crds/) keeps serving MultiClusterServices; the MCS API simply
 * writes nothing there until its lists succeed.
 */
import type { Logger } from 'pino';
import { MULTICLUSTER_API_VERSION, type ServiceExport, type ServiceImport } from '../api/multicluster.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import type { CacheEvent } from '../kube/informer.ts';
import { Informer } from '../kube/informer.ts';
import { apiListWatch } from '../kube/list-watch.ts';
import type { SyncerMetrics } from './metrics.ts';

/** Keeps what the front end reads: no managedFields. The creation time orders exporters (KEP-1645). */
function trim<T extends { metadata?: { managedFields?: unknown } }>(o: T): T {
  if (!o.metadata?.managedFields) return o;
  const { managedFields: _m, ...metadata } = o.metadata;
  return { ...o, metadata } as T;
}

/** Options of {@link MemberMcsApi}. */
export interface MemberMcsApiOptions {
  client: KubeClient;
  logger: Logger;
  metrics: SyncerMetrics;
  onExport: (event: CacheEvent, object: ServiceExport) => void;
  onImport: (event: CacheEvent, object: ServiceImport) => void;
  /** Called once, when both have listed for the first time. */
  onSynced?: () => void;
}

/** Informers of one member's ServiceExports and ServiceImports. */
export class MemberMcsApi {
  readonly exports: Informer<ServiceExport>;
  readonly imports: Informer<ServiceImport>;
  private announced = false;

  constructor(o: MemberMcsApiOptions) {
    const { client, logger, metrics } = o;
    const cluster = client.name;
    const onListed = () => {
      if (this.synced && !this.announced) {
        this.announced = true;
        o.onSynced?.();
      }
    };
    const api = `/apis/${MULTICLUSTER_API_VERSION}`;
    this.exports = new Informer<ServiceExport>({
      cluster,
      logger,
      resource: 'serviceexports',
      source: apiListWatch<ServiceExport>(client, `${api}/serviceexports`, { transform: trim }),
      onEvent: o.onExport,
      onListed,
      onRestart: () => metrics.watchRestarts.inc({ cluster, resource: 'serviceexports' }),
    });
    this.imports = new Informer<ServiceImport>({
      cluster,
      logger,
      resource: 'serviceimports',
      source: apiListWatch<ServiceImport>(client, `${api}/serviceimports`, { transform: trim }),
      onEvent: o.onImport,
      onListed,
      onRestart: () => metrics.watchRestarts.inc({ cluster, resource: 'serviceimports' }),
    });
  }

  /** True once both have listed. */
  get synced(): boolean {
    return this.exports.synced && this.imports.synced;
  }

  /** Starts both in the background: nothing waits for them. */
  async start(): Promise<void> {
    void this.exports.start();
    void this.imports.start();
  }

  async stop(): Promise<void> {
    await Promise.all([this.exports.stop(), this.imports.stop()]);
  }

  async restart(): Promise<void> {
    await Promise.all([this.exports.restart(), this.imports.restart()]);
  }
}
