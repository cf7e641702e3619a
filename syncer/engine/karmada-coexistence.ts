/**
 * Carries out the decisions of karmada/decide.ts for one MCS key: the StandingDown condition,
 * Event and log line; the probe annotation; the in-place writes that adopt Karmada's copies or
 * hand ours back; the release of Karmada's Works, binding and finalizer after a takeover. The
 * controller asks it first on every reconcile; when it says `handled`, the ordinary planner does
 * not run for that key.
 */
import type { Logger } from 'pino';
import { describeApiError, httpCode } from '../../lib/kube-errors.ts';
import {
  MCS_GROUP,
  MCS_PLURAL,
  MCS_VERSION,
  type McsCondition,
  type MultiClusterService,
} from '../api/types.ts';
import { type CoexistenceDecision, decideCoexistence, type MemberRewrite } from '../karmada/decide.ts';
import {
  FINALIZER_KARMADA_DISPATCH,
  FINALIZER_KARMADA_MCS,
  KARMADA_BINDING,
  KARMADA_WORK,
  KIND_MULTICLUSTERSERVICE,
  LABEL_BINDING_MANAGED_BY,
  type WorkFact,
} from '../karmada/facts.ts';
import { adoptedService, adoptedSlice, handedBackSlice, unlabelledService } from '../karmada/rewrites.ts';
import { standingDownConditions } from '../karmada/status.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import { FINALIZER_CLEANUP } from '../names.ts';
import type { McsSnapshot } from '../plan/snapshot.ts';
import type { McsEvent } from '../plan/types.ts';
import type { ClusterRegistry } from './clusters.ts';
import type { McsWriter } from './mcs-writer.ts';
import type { SyncerMetrics } from './metrics.ts';
import { WorkCache } from './work-cache.ts';

/** Annotation on the MCS that probes whether Karmada's MCS controller runs (its marker Works copy the MCS). */
export const ANNOTATION_PROBE = 'mcs-bridge.io/karmada-probe';
/** Bound of each write this module makes. */
const WRITE_TIMEOUT_MS = 15_000;
/** After writes whose watch events may be absorbed, look again this soon. */
const RECHECK_MS = 500;
const MERGE_PATCH = 'application/merge-patch+json';

/** Options of {@link KarmadaCoexistence}. */
export interface KarmadaCoexistenceOptions {
  hub: KubeClient;
  clusters: ClusterRegistry;
  writer: McsWriter;
  logger: Logger;
  metrics: SyncerMetrics;
  now: () => number;
  /** `--karmada-takeover`. */
  takeover: boolean;
  probeTimeoutMs: number;
  /** A Work of this MCS key changed. */
  onChange: (key: string) => void;
}

/** What the controller does after asking. */
export interface CoexistenceOutcome {
  /** True: the ordinary planner must not run for this key now. */
  readonly handled: boolean;
  /** Reconcile the key again after this long. */
  readonly requeueAfterMs?: number;
}

/** mcs-bridge beside Karmada's own MultiClusterService controllers. */
export class KarmadaCoexistence {
  readonly works: WorkCache;
  private readonly probes = new Map<string, { value: string; sentAt: number }>();

  constructor(private readonly o: KarmadaCoexistenceOptions) {
    this.works = new WorkCache({
      hub: o.hub,
      logger: o.logger,
      metrics: o.metrics,
      probeAnnotation: ANNOTATION_PROBE,
      onChange: o.onChange,
    });
  }

  get synced(): boolean {
    return this.works.synced;
  }

  start(): Promise<void> {
    return this.works.start();
  }

  stop(): Promise<void> {
    return this.works.stop();
  }

  /** Decides for one key and carries the decision out. Throws when a write failed (the key is retried). */
  async reconcile(key: string, s: McsSnapshot): Promise<CoexistenceOutcome> {
    if (!s.hubSynced || !this.works.synced) return { handled: true, requeueAfterMs: RECHECK_MS };
    const decision = decideCoexistence({
      namespace: s.namespace,
      name: s.name,
      mcs: s.mcs,
      works: this.works.worksOf(key),
      clusters: s.clusters,
      takeover: this.o.takeover,
      probe: this.probes.get(key),
      probeTimeoutMs: this.o.probeTimeoutMs,
      now: s.now,
    });
    return this.carryOut(key, s.mcs, decision);
  }

  private async carryOut(
    key: string,
    mcs: MultiClusterService | undefined,
    d: CoexistenceDecision,
  ): Promise<CoexistenceOutcome> {
    const { logger, now } = this.o;
    switch (d.kind) {
      case 'serve': {
        this.probes.delete(key);
        if (!mcs) return { handled: false };
        const update = standingDownConditions(mcs.status?.conditions, undefined, now());
        if (!update.changed) return { handled: false };
        // Karmada's machinery is gone (taken over, or removed): the condition goes, then the
        // ordinary planner runs on a cache that has seen this write.
        await this.writeConditions(mcs, update.conditions);
        const message = `Karmada's MultiClusterService machinery for ${key} is gone: mcs-bridge serves it`;
        logger.info({ mcs: key }, message);
        await this.o.writer.record(mcs, [{ type: 'Normal', reason: 'ServingAfterKarmada', message }], true);
        return { handled: true, requeueAfterMs: 0 };
      }
      case 'standDown': {
        let conditionWritten = false;
        if (mcs) {
          const update = standingDownConditions(mcs.status?.conditions, d, now());
          if (update.changed) {
            conditionWritten = true;
            await this.writeConditions(mcs, update.conditions);
            // Warning: the MCS asks for something mcs-bridge does not do while it stands down.
            logger.warn({ mcs: key, reason: d.reason }, d.message);
            const event: McsEvent = { type: 'Warning', reason: 'StandingDown', message: d.message };
            await this.o.writer.record(mcs, [event], true);
          }
        }
        for (const h of d.handBack) {
          await this.put(h.cluster, slicePath(h.object), handedBackSlice(h.object, h.work), key, 'hand back');
        }
        for (const u of d.unlabel) {
          await this.put(
            u.cluster,
            servicePath(u.object),
            unlabelledService(u.object),
            key,
            'drop our labels from',
          );
        }
        // One guarded write on the MCS per pass: a condition just written moved its resourceVersion.
        const release = d.releaseFinalizer && mcs !== undefined && !conditionWritten;
        if (release && mcs) await this.patchFinalizers(mcs, [FINALIZER_CLEANUP]);
        const wrote = conditionWritten || release || d.handBack.length + d.unlabel.length > 0;
        return { handled: true, requeueAfterMs: wrote ? RECHECK_MS : undefined };
      }
      case 'probe': {
        if (!mcs) return { handled: true };
        await this.patchMcs(mcs, { metadata: { annotations: { [ANNOTATION_PROBE]: d.value } } });
        this.probes.set(key, { value: d.value, sentAt: now() });
        logger.info(
          { mcs: key, probe: d.value },
          `Karmada's MultiClusterService machinery holds ${key}: probing whether Karmada's MultiClusterService controller still runs (annotation ${ANNOTATION_PROBE})`,
        );
        return { handled: true, requeueAfterMs: this.o.probeTimeoutMs };
      }
      case 'wait': {
        logger.debug({ mcs: key, why: d.why }, 'waiting before taking over from Karmada');
        return {
          handled: true,
          requeueAfterMs: d.until !== undefined ? Math.max(0, d.until - now()) : RECHECK_MS,
        };
      }
      case 'adopt': {
        logger.info(
          { mcs: key, slices: d.slices.length, services: d.services.length },
          `taking ${key} over from Karmada: rewriting Karmada's copies in place as mcs-bridge's`,
        );
        for (const x of d.services) {
          await this.put(
            x.cluster,
            servicePath(x.object),
            adoptedService(x.object, nameOf(key)),
            key,
            'adopt',
          );
        }
        for (const x of d.slices) {
          const body = adoptedSlice(x.object);
          if (!body) {
            logger.warn(
              { mcs: key, cluster: x.cluster },
              `cannot adopt ${describe(x)}: it names no provider cluster`,
            );
            continue;
          }
          await this.put(x.cluster, slicePath(x.object), body, key, 'adopt');
        }
        return { handled: true, requeueAfterMs: RECHECK_MS };
      }
      case 'release': {
        await this.release(key, mcs, d.works, d.removeFinalizer);
        return { handled: true, requeueAfterMs: RECHECK_MS };
      }
    }
  }

  /**
   * Releases what Karmada's MCS path left on the hub, once every member object it held is ours:
   * the consumers' Works (their execution controller then finds our objects unmarked and keeps
   * them), the collected Works (without the dispatch controller's finalizer, which nobody
   * removes while the gate is off), the markers, the Service's ResourceBinding and the finalizer.
   */
  private async release(
    key: string,
    mcs: MultiClusterService | undefined,
    works: readonly WorkFact[],
    removeFinalizer: boolean,
  ): Promise<void> {
    const order = { dispatched: 0, collected: 1, marker: 2 };
    for (const w of [...works].sort((a, b) => order[a.role] - order[b.role])) {
      if (w.finalizers.includes(FINALIZER_KARMADA_DISPATCH)) {
        const finalizers = w.finalizers.filter((f) => f !== FINALIZER_KARMADA_DISPATCH);
        await this.hubWrite(`remove ${FINALIZER_KARMADA_DISPATCH} from Work ${w.namespace}/${w.name}`, {
          method: 'PATCH',
          path: workPath(w),
          contentType: MERGE_PATCH,
          body: { metadata: { finalizers, resourceVersion: w.resourceVersion } },
        });
      }
      if (!w.deleting) {
        await this.hubWrite(`delete Work ${w.namespace}/${w.name}`, {
          method: 'DELETE',
          path: workPath(w),
          body: { preconditions: { uid: w.uid } },
        });
      }
    }
    await this.releaseBinding(key);
    if (removeFinalizer && mcs) await this.patchFinalizers(mcs, [FINALIZER_KARMADA_MCS]);
    const message = `took ${key} over from Karmada: released ${works.length} Works of its MultiClusterService controllers${removeFinalizer ? ` and the finalizer ${FINALIZER_KARMADA_MCS}` : ''}; the copies in the members were kept in place`;
    this.o.logger.info({ mcs: key }, message);
    if (mcs)
      await this.o.writer.record(mcs, [{ type: 'Normal', reason: 'TakenOverFromKarmada', message }], true);
  }

  /** Deletes the Service's ResourceBinding when Karmada's MCS controller made it (its Service Works go with it). */
  private async releaseBinding(key: string): Promise<void> {
    const [namespace = '', name = ''] = key.split('/');
    const { group, version, plural } = KARMADA_BINDING;
    const path = `/apis/${group}/${version}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(`${name}-service`)}`;
    let binding: { metadata?: { uid?: string; labels?: Record<string, string> } };
    try {
      binding = await this.o.hub.request('get', { method: 'GET', path, timeoutMs: WRITE_TIMEOUT_MS });
    } catch (err) {
      if (httpCode(err) === 404) return;
      throw failed(`cannot read ResourceBinding ${namespace}/${name}-service on the hub`, err);
    }
    if (binding.metadata?.labels?.[LABEL_BINDING_MANAGED_BY] !== KIND_MULTICLUSTERSERVICE) return;
    await this.hubWrite(`delete ResourceBinding ${namespace}/${name}-service`, {
      method: 'DELETE',
      path,
      body: { preconditions: { uid: binding.metadata?.uid } },
    });
  }

  private async hubWrite(what: string, r: Parameters<KubeClient['request']>[1]): Promise<void> {
    const verb = r.method === 'DELETE' ? 'delete' : 'patch';
    try {
      await this.o.hub.write(verb, { ...r, timeoutMs: WRITE_TIMEOUT_MS });
    } catch (err) {
      if (httpCode(err) === 404) return; // already gone
      throw failed(`failed to ${what} on the hub`, err);
    }
  }

  /** One in-place PUT in a member, guarded by the resourceVersion in `body`. */
  private async put(cluster: string, path: string, body: object, key: string, what: string): Promise<void> {
    const member = this.o.clusters.get(cluster);
    if (!member) throw new Error(`cluster ${cluster} is not known to the syncer any more`);
    try {
      await member.client.write('update', {
        method: 'PUT',
        path,
        query: { fieldManager: 'mcs-bridge-syncer' },
        body,
        timeoutMs: WRITE_TIMEOUT_MS,
      });
    } catch (err) {
      throw failed(`failed to ${what} ${path} in ${cluster}`, err);
    }
    this.o.logger.info({ mcs: key, cluster }, `${what} ${path} in ${cluster}`);
  }

  private async writeConditions(mcs: MultiClusterService, conditions: McsCondition[]): Promise<void> {
    // Guarded by resourceVersion: Karmada's controllers write their conditions on the same list.
    await this.o.hub.write('patch', {
      method: 'PATCH',
      path: `${mcsPath(mcs)}/status`,
      contentType: MERGE_PATCH,
      body: { metadata: { resourceVersion: mcs.metadata?.resourceVersion }, status: { conditions } },
      timeoutMs: WRITE_TIMEOUT_MS,
    });
  }

  private async patchFinalizers(mcs: MultiClusterService, remove: string[]): Promise<void> {
    const finalizers = (mcs.metadata?.finalizers ?? []).filter((f) => !remove.includes(f));
    await this.patchMcs(mcs, { metadata: { finalizers } });
  }

  private async patchMcs(
    mcs: MultiClusterService,
    body: { metadata: Record<string, unknown> },
  ): Promise<void> {
    await this.o.hub.write('patch', {
      method: 'PATCH',
      path: mcsPath(mcs),
      contentType: MERGE_PATCH,
      body: { metadata: { ...body.metadata, resourceVersion: mcs.metadata?.resourceVersion } },
      timeoutMs: WRITE_TIMEOUT_MS,
    });
  }
}

/**
 * An error naming what failed, keeping the HTTP code: the controller takes a 409 (the object
 * changed since the cache was read) as "reconcile again", not as a failure.
 */
function failed(what: string, err: unknown): Error {
  return Object.assign(new Error(`${what}: ${describeApiError(err)}`), { statusCode: httpCode(err) });
}

function nameOf(key: string): string {
  return key.slice(key.indexOf('/') + 1);
}

function describe(x: MemberRewrite<{ metadata?: { namespace?: string; name?: string } }>): string {
  return `${x.object.metadata?.namespace}/${x.object.metadata?.name} in ${x.cluster}`;
}

function slicePath(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(o.metadata?.namespace ?? '')}/endpointslices/${encodeURIComponent(o.metadata?.name ?? '')}`;
}

function servicePath(o: { metadata?: { namespace?: string; name?: string } }): string {
  return `/api/v1/namespaces/${encodeURIComponent(o.metadata?.namespace ?? '')}/services/${encodeURIComponent(o.metadata?.name ?? '')}`;
}

function workPath(w: WorkFact): string {
  const { group, version, plural } = KARMADA_WORK;
  return `/apis/${group}/${version}/namespaces/${encodeURIComponent(w.namespace)}/${plural}/${encodeURIComponent(w.name)}`;
}

function mcsPath(mcs: MultiClusterService): string {
  const ns = encodeURIComponent(mcs.metadata?.namespace ?? '');
  const name = encodeURIComponent(mcs.metadata?.name ?? '');
  return `/apis/${MCS_GROUP}/${MCS_VERSION}/namespaces/${ns}/${MCS_PLURAL}/${name}`;
}
