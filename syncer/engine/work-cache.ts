/**
 * The Works of Karmada's MultiClusterService path on the hub (those labelled
 * `multiclusterservice.karmada.io/name`, in every `karmada-es-*` execution space), indexed by
 * MCS key. On a hub that does not serve Karmada's Work API it stays empty, and so does
 * everything the syncer decides from it; the hub is asked again every `recheckMs`, so a Karmada
 * installed (or a grant of the Works given) after the syncer started is seen.
 */
import type { Logger } from 'pino';
import { RetryBackoff } from '../../lib/backoff.ts';
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
  /** The cache synced: the first list is in, or the hub said it serves no Works to us. */
  onSynced?: () => void;
  /** Timers of the looks (default: the real ones). */
  timers?: Timers;
  /** How often a hub that serves no Works (404) or refuses them (403) is asked again (default 5 min). */
  recheckMs?: number;
  /** Random numbers in [0, 1) for the jitter of retries (default `Math.random`). */
  random?: () => number;
}

/** How often a hub without Karmada's Work API is asked again, by default. */
export const DEFAULT_WORK_API_RECHECK_MS = 5 * 60_000;

/** Informer-backed cache of the MCS path's Works. */
export class WorkCache {
  private informer: Informer<KarmadaWork> | undefined;
  private readonly byKey = new Map<string, Map<string, WorkFact>>();
  private served = false;
  /** Whether the hub has said if it serves Works (until then nothing is synced). */
  private known = false;
  private stopped = false;
  private retry: unknown;
  /** What the last look found, so a recheck logs only a change. */
  private lastAnswer: number | undefined;
  private readonly retries: RetryBackoff;
  private readonly timers: Timers;

  constructor(private readonly o: WorkCacheOptions) {
    this.timers = o.timers ?? realTimers;
    // The look is one request: 1 s doubling to 30 s, spread by up to half of each.
    this.retries = new RetryBackoff({ baseMs: 1_000, factor: 2, jitter: 0.5, capMs: 30_000 }, o.random);
  }

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
      if (code === 404 || code === 403) {
        this.retries.reset();
        if (this.lastAnswer !== code) {
          if (code === 404)
            logger.info(
              'the hub serves no Karmada Works (work.karmada.io): no Karmada MultiClusterService machinery to stand aside for',
            );
          else
            logger.warn(
              `may not list Karmada's Works (work.karmada.io) on the hub: ${describeApiError(err)}; mcs-bridge sees Karmada's MultiClusterService controllers only by the copies they keep in the members (grant list and watch on works.work.karmada.io, as the chart does)`,
            );
        }
        this.lastAnswer = code;
        this.markKnown();
        this.lookAgainIn(this.o.recheckMs ?? DEFAULT_WORK_API_RECHECK_MS);
        return;
      }
      const wait = this.retries.next();
      logger.warn(
        { failures: this.retries.failures, retryInMs: wait },
        `cannot look for Karmada's Works on the hub: ${describeApiError(err)}; MultiClusterServices wait until it answers`,
      );
      this.lookAgainIn(wait);
      return;
    }
    if (this.stopped) return;
    if (this.lastAnswer !== undefined)
      logger.info('the hub serves Karmada Works (work.karmada.io) now: watching them');
    this.lastAnswer = 200;
    this.retries.reset();
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
      onListed: () => this.o.onSynced?.(),
      onRestart: () => this.o.metrics.watchRestarts.inc({ cluster: hub.name, resource: KARMADA_WORK.plural }),
      timers: this.timers,
      random: this.o.random,
    });
    // Until the informer lists, the cache counts as not synced again (a late Karmada's Works
    // are not known yet), and what waits for it waits.
    this.known = true;
    await this.informer.start();
  }

  private markKnown(): void {
    if (this.known) return;
    this.known = true;
    this.o.onSynced?.();
  }

  private lookAgainIn(ms: number): void {
    if (this.stopped) return;
    this.retry = this.timers.setTimeout(() => void this.look(), ms);
  }

  /** Stops watching. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.retry);
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
