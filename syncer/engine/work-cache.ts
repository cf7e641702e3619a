/**
 * The Works of Karmada's MultiClusterService path on the hub (those labelled
 * `multiclusterservice.karmada.io/name`, in every `karmada-es-*` execution space), indexed by
 * MCS key. On a hub that does not serve Karmada's Work API it stays empty, and so does
 * everything the syncer decides from it.
 */
import type { Logger } from 'pino';
import { describeApiError, httpCode } from '../../lib/kube-errors.ts';
import { realTimers, type Timers } from '../../lib/timers.ts';
import {
  KARMADA_WORK,
  type KarmadaWork,
  LABEL_WORK_MCS_NAME,
  type WorkFact,
  workFact,
  workKey,
} from '../karmada/facts.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import { Informer } from '../kube/informer.ts';
import { apiListWatch } from '../kube/list-watch.ts';
import type { SyncerMetrics } from './metrics.ts';

const PATH = `/apis/${KARMADA_WORK.group}/${KARMADA_WORK.version}/${KARMADA_WORK.plural}`;

/**
 * What a Work keeps in the cache: its metadata without managedFields, and of its manifest only
 * the kind, name and the probe annotation (a marker's manifest is the whole MCS).
 */
function slimWork(probeAnnotation: string) {
  return (w: KarmadaWork): KarmadaWork => {
    const { managedFields: _m, ...metadata } = w.metadata ?? {};
    const manifest = w.spec?.workload?.manifests?.[0];
    const probe = manifest?.metadata?.annotations?.[probeAnnotation];
    return {
      apiVersion: w.apiVersion,
      kind: w.kind,
      metadata,
      spec: {
        workload: {
          manifests: manifest
            ? [
                {
                  kind: manifest.kind,
                  metadata: {
                    name: manifest.metadata?.name,
                    ...(probe !== undefined ? { annotations: { [probeAnnotation]: probe } } : {}),
                  },
                },
              ]
            : [],
        },
      },
    };
  };
}

/** Options of a {@link WorkCache}. */
export interface WorkCacheOptions {
  hub: KubeClient;
  logger: Logger;
  metrics: SyncerMetrics;
  /** The MCS annotation whose value marker Works mirror (the probe of decide.ts). */
  probeAnnotation: string;
  /** A Work of this MCS key changed. */
  onChange: (key: string) => void;
  /** Timers of the retries of the first look (default: the real ones). */
  timers?: Timers;
}

/** First wait before the hub is asked again whether it serves Works; doubles up to 30 s. */
const RETRY_MS = 1_000;
const RETRY_MAX_MS = 30_000;

/** Informer-backed cache of the MCS path's Works. */
export class WorkCache {
  private informer: Informer<KarmadaWork> | undefined;
  private readonly byKey = new Map<string, Map<string, WorkFact>>();
  private served = false;
  /** Whether the hub has said if it serves Works (until then nothing is synced). */
  private known = false;
  private stopped = false;
  private retry: unknown;
  private failures = 0;

  constructor(private readonly o: WorkCacheOptions) {}

  /** Whether the hub serves Karmada's Work API (known after {@link start}). */
  get enabled(): boolean {
    return this.served;
  }

  /**
   * True once the first list is in (or once the hub said it has no Work API). Until then the
   * coexistence decisions wait: a MultiClusterService Karmada may hold is not written.
   */
  get synced(): boolean {
    return this.known && (!this.informer || this.informer.synced);
  }

  /**
   * Looks whether the hub serves Works and, if it does, starts watching them. A hub without
   * the API (404), or an identity that may not list them (403), leaves the cache empty: the
   * first is not a Karmada control plane; the second is warned about, since mcs-bridge
   * then sees only the copies Karmada keeps in the members.
   */
  async start(): Promise<void> {
    this.stopped = false;
    await this.look();
  }

  /**
   * One look; any other failure (a 5xx, a timeout) is logged — through the syncer's redacting
   * logger — and the look tried again with backoff, without holding up the rest of the syncer.
   */
  private async look(): Promise<void> {
    const { hub, logger } = this.o;
    try {
      await hub.request('list', { method: 'GET', path: PATH, query: { limit: 1 }, timeoutMs: 15_000 });
    } catch (err) {
      const code = httpCode(err);
      if (code === 404) {
        this.known = true;
        logger.info(
          'the hub serves no Karmada Works (work.karmada.io): no Karmada MultiClusterService machinery to stand aside for',
        );
        return;
      }
      if (code === 403) {
        this.known = true;
        logger.warn(
          `may not list Karmada's Works (work.karmada.io) on the hub: ${describeApiError(err)}; mcs-bridge sees Karmada's MultiClusterService controllers only by the copies they keep in the members (grant list and watch on works.work.karmada.io, as the chart does)`,
        );
        return;
      }
      const wait = Math.min(RETRY_MS * 2 ** this.failures, RETRY_MAX_MS);
      this.failures++;
      logger.warn(
        { failures: this.failures, retryInMs: wait },
        `cannot look for Karmada's Works on the hub: ${describeApiError(err)}; MultiClusterServices wait until it answers`,
      );
      if (!this.stopped) this.retry = (this.o.timers ?? realTimers).setTimeout(() => void this.look(), wait);
      return;
    }
    if (this.stopped) return;
    this.known = true;
    this.served = true;
    const probe = this.o.probeAnnotation;
    this.informer = new Informer<KarmadaWork>({
      cluster: hub.name,
      resource: KARMADA_WORK.plural,
      logger,
      source: apiListWatch<KarmadaWork>(hub, PATH, {
        labelSelector: LABEL_WORK_MCS_NAME,
        transform: slimWork(probe),
      }),
      onEvent: (event, work) => this.index(event, work),
      onRestart: () => this.o.metrics.watchRestarts.inc({ cluster: hub.name, resource: KARMADA_WORK.plural }),
    });
    await this.informer.start();
  }

  /** Stops watching. */
  async stop(): Promise<void> {
    this.stopped = true;
    (this.o.timers ?? realTimers).clearTimeout(this.retry);
    await this.informer?.stop();
  }

  /** The Works of one MCS key, by execution space and name. */
  worksOf(key: string): WorkFact[] {
    return [...(this.byKey.get(key)?.values() ?? [])].sort((a, b) =>
      `${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1,
    );
  }

  /** Every MCS key that has Works. */
  keys(): string[] {
    return [...this.byKey.keys()];
  }

  private index(event: 'add' | 'update' | 'delete', work: KarmadaWork): void {
    const fact = workFact(work, this.o.probeAnnotation);
    if (!fact) return;
    const key = workKey(fact);
    const ref = `${fact.namespace}/${fact.name}`;
    let bucket = this.byKey.get(key);
    if (event === 'delete') {
      bucket?.delete(ref);
      if (bucket?.size === 0) this.byKey.delete(key);
    } else {
      if (!bucket) {
        bucket = new Map();
        this.byKey.set(key, bucket);
      }
      bucket.set(ref, fact);
    }
    this.o.onChange(key);
  }
}
