/**
 * The Works of Karmada's MultiClusterService path on the hub (those labelled
 * `multiclusterservice.karmada.io/name`, in every `karmada-es-*` execution space), indexed by
 * MCS key. On a hub that does not serve Karmada's Work API it stays empty, and so does
 * everything the syncer decides from it.
 */
import type { Logger } from 'pino';
import { describeApiError, httpCode } from '../../lib/kube-errors.ts';
import type { SyncerMetrics } from '../engine/metrics.ts';
import type { ClusterClient } from '../kube/cluster-client.ts';
import { Informer } from '../kube/informer.ts';
import {
  KARMADA_WORK,
  type KarmadaWork,
  LABEL_WORK_MCS_NAME,
  type WorkFact,
  workFact,
  workKey,
} from './facts.ts';

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
  hub: ClusterClient;
  logger: Logger;
  metrics: SyncerMetrics;
  /** The MCS annotation whose value marker Works mirror (the probe of decide.ts). */
  probeAnnotation: string;
  /** A Work of this MCS key changed. */
  onChange: (key: string) => void;
}

/** Informer-backed cache of the MCS path's Works. */
export class WorkCache {
  private informer: Informer<KarmadaWork> | undefined;
  private readonly byKey = new Map<string, Map<string, WorkFact>>();
  private served = false;

  constructor(private readonly o: WorkCacheOptions) {}

  /** Whether the hub serves Karmada's Work API (known after {@link start}). */
  get enabled(): boolean {
    return this.served;
  }

  /** True once the first list is in (or at once when the hub has no Work API). */
  get synced(): boolean {
    return !this.informer || this.informer.synced;
  }

  /**
   * Looks whether the hub serves Works and, if it does, starts watching them. A hub without
   * the API (404), or an identity that may not list them (403), leaves the cache empty: the
   * first is not a Karmada control plane; the second is warned about, since mcs-bridge
   * then sees only the copies Karmada keeps in the members.
   */
  async start(): Promise<void> {
    const { hub, logger } = this.o;
    try {
      await hub.request('list', { method: 'GET', path: PATH, query: { limit: 1 }, timeoutMs: 15_000 });
    } catch (err) {
      const code = httpCode(err);
      if (code === 404) {
        logger.info(
          'the hub serves no Karmada Works (work.karmada.io): no Karmada MultiClusterService machinery to stand aside for',
        );
        return;
      }
      if (code === 403) {
        logger.warn(
          `may not list Karmada's Works (work.karmada.io) on the hub: ${describeApiError(err)}; mcs-bridge sees Karmada's MultiClusterService controllers only by the copies they keep in the members (grant list and watch on works.work.karmada.io, as the chart does)`,
        );
        return;
      }
      throw new Error(`cannot look for Karmada's Works on the hub: ${describeApiError(err)}`);
    }
    this.served = true;
    const probe = this.o.probeAnnotation;
    this.informer = new Informer<KarmadaWork>({
      cluster: hub.name,
      resource: KARMADA_WORK.plural,
      kubeConfig: hub.kubeConfig,
      logger,
      path: PATH,
      labelSelector: LABEL_WORK_MCS_NAME,
      list: (transform) => hub.list(PATH, transform, LABEL_WORK_MCS_NAME),
      transform: slimWork(probe),
      onEvent: (event, work) => this.index(event, work),
      onRestart: () => this.o.metrics.watchRestarts.inc({ cluster: hub.name, resource: KARMADA_WORK.plural }),
    });
    await this.informer.start();
  }

  /** Stops watching. */
  async stop(): Promise<void> {
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
