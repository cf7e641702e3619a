/**
 * What the syncer knows of one member's Kubernetes MCS API objects: its ServiceExports and
 * ServiceImports (`multicluster.x-k8s.io/v1beta1`), for the MCS API front end
 * (mcs-api/plan.ts). Apart from the member cache's own `synced`: a member without the CRDs
 * (charts/mcs-bridge/member-crds/) keeps serving MultiClusterServices; the MCS API simply
 * writes nothing there. Whether the API is served is asked first, and again every
 * {@link REDISCOVER_MS} while it is not, so such a member costs one quiet request now and then
 * instead of two failing watches that warn.
 */
import type { Logger } from 'pino';
import { describeApiError, httpCode } from '../../lib/kube-errors.ts';
import { realTimers, type Timers } from '../../lib/timers.ts';
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

/** How often a member that does not serve the MCS API is asked again (CRDs installed later). */
export const REDISCOVER_MS = 5 * 60_000;

/** Options of {@link MemberMcsApi}. */
export interface MemberMcsApiOptions {
  client: KubeClient;
  logger: Logger;
  metrics: SyncerMetrics;
  onExport: (event: CacheEvent, object: ServiceExport) => void;
  onImport: (event: CacheEvent, object: ServiceImport) => void;
  /** Called once, when both have listed for the first time. */
  onSynced?: () => void;
  /** Bound on the discovery request (default 10 s). */
  timeoutMs?: number;
  /** The timer of the next look while the API is not served (default: the real ones). */
  timers?: Timers;
}

/** Informers of one member's ServiceExports and ServiceImports. */
export class MemberMcsApi {
  readonly exports: Informer<ServiceExport>;
  readonly imports: Informer<ServiceImport>;
  private announced = false;
  private stopped = true;
  private watching = false;
  private retry?: unknown;
  /** A discovery is in flight: a restart meanwhile does not start a second one. */
  private discovering = false;
  private absenceLogged = false;

  constructor(private readonly o: MemberMcsApiOptions) {
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

  /** Asks whether the API is served and watches it if it is, in the background: nothing waits for it. */
  async start(): Promise<void> {
    this.stopped = false;
    void this.discoverAndWatch();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.clearRetry();
    await Promise.all([this.exports.stop(), this.imports.stop()]);
  }

  /** Restarts the watches (the member is back from an outage), or asks again whether the API is served. */
  async restart(): Promise<void> {
    if (this.stopped) return;
    if (!this.watching) {
      this.clearRetry();
      void this.discoverAndWatch();
      return;
    }
    await Promise.all([this.exports.restart(), this.imports.restart()]);
  }

  private clearRetry(): void {
    if (this.retry !== undefined) (this.o.timers ?? realTimers).clearTimeout(this.retry);
    this.retry = undefined;
  }

  private async discoverAndWatch(): Promise<void> {
    if (this.discovering) return;
    const { client, logger, timeoutMs = 10_000, timers = realTimers } = this.o;
    let served = true;
    this.discovering = true;
    try {
      await client.request('get', { method: 'GET', path: `/apis/${MULTICLUSTER_API_VERSION}`, timeoutMs });
    } catch (err) {
      // 404: the group version is not served (no CRDs). Anything else: the watches' own
      // retries and errors tell.
      served = httpCode(err) !== 404;
      if (served)
        logger.debug(
          { cluster: client.name },
          `cannot discover the MCS API of ${client.name}: ${describeApiError(err)}`,
        );
    } finally {
      this.discovering = false;
    }
    if (this.stopped || this.watching) return;
    if (!served) {
      // Said once at info; the looks again every few minutes only at debug.
      const level = this.absenceLogged ? 'debug' : 'info';
      this.absenceLogged = true;
      logger[level](
        { cluster: client.name },
        `${client.name} serves no ${MULTICLUSTER_API_VERSION}: the Kubernetes MCS API takes no part there until its CRDs are installed`,
      );
      this.retry = timers.setTimeout(() => {
        this.retry = undefined;
        void this.discoverAndWatch();
      }, REDISCOVER_MS);
      return;
    }
    this.watching = true;
    logger.info({ cluster: client.name }, `watching ServiceExports and ServiceImports in ${client.name}`);
    void this.exports.start();
    void this.imports.start();
  }
}
