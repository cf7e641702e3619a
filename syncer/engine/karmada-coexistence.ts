/**
 * Carries out the decisions of karmada/decide.ts for one MCS key: the StandingDown condition,
 * Event and log line; the probe annotation; the in-place writes that adopt Karmada's copies or
 * hand ours back; the release of Karmada's Works, binding and finalizer after a takeover. The
 * controller asks it first on every reconcile; when it says `handled`, the ordinary planner does
 * not run for that key.
 */
import type { Logger } from 'pino';
import { describeApiError, httpCode, retryAfterMs } from '../../lib/kube-errors.ts';
import type { Timers } from '../../lib/timers.ts';
import {
  MCS_GROUP,
  MCS_PLURAL,
  MCS_VERSION,
  type McsCondition,
  type MultiClusterService,
} from '../api/types.ts';
import { type CoexistenceDecision, decideCoexistence, type MemberRewrite } from '../karmada/decide.ts';
import {
  FINALIZER_KARMADA_MCS,
  KARMADA_BINDING,
  KARMADA_WORK,
  KIND_MULTICLUSTERSERVICE,
  LABEL_BINDING_MANAGED_BY,
  LABEL_BINDING_PERMANENT_ID,
  type WorkFact,
} from '../karmada/facts.ts';
import { finalizersAfterRelease } from '../karmada/pull-handover.ts';
import { adoptedService, adoptedSlice, handedBackSlice, unlabelledService } from '../karmada/rewrites.ts';
import { CONDITION_STANDING_DOWN, standingDownConditions } from '../karmada/status.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import { FINALIZER_CLEANUP } from '../names.ts';
import type { McsSnapshot } from '../plan/snapshot.ts';
import type { McsEvent } from '../plan/types.ts';
import type { ClusterRegistry } from './clusters.ts';
import type { McsWriter } from './mcs-writer.ts';
import type { SyncerMetrics } from './metrics.ts';
import { orphanBindingWorks, type PullHandoverIo, withdrawOurWork } from './pull-handover.ts';
import { WorkCache } from './work-cache.ts';

/** Annotation on the MCS that probes whether Karmada's MCS controller runs (its marker Works copy the MCS). */
export const ANNOTATION_PROBE = 'mcs-bridge.io/karmada-probe';
/** Bound of each write this module makes. */
const WRITE_TIMEOUT_MS = 15_000;
const MERGE_PATCH = 'application/merge-patch+json';

/** Options of {@link KarmadaCoexistence}. */
export interface KarmadaCoexistenceOptions {
  hub: KubeClient;
  clusters: ClusterRegistry;
  writer: McsWriter;
  logger: Logger;
  metrics: SyncerMetrics;
  /** Wall time, as the snapshot's `now` and the probe's value (written to the MCS). */
  now: () => number;
  /** The clock the probe's timeout is measured on (default `now`): monotonic in the syncer. */
  monotonic?: () => number;
  /** `--karmada-takeover`. */
  takeover: boolean;
  probeTimeoutMs: number;
  /** A Work of this MCS key changed, or the key waited for something that came: reconcile it. */
  onChange: (key: string) => void;
  /** Timers of the Works cache's looks (default: the real ones). */
  timers?: Timers;
  /** How often a hub without Karmada's Work API is asked again (see work-cache.ts). */
  workApiRecheckMs?: number;
}

/**
 * What the controller does after asking. A key that waits for an event (a cache to sync, a
 * Work or member object to change, the watch to bring back a write) is reconciled again by
 * that event; `recheck` asks for a backed-off look as the safety net, never a fixed poll.
 */
export interface CoexistenceOutcome {
  /** True: the ordinary planner must not run for this key now. */
  readonly handled: boolean;
  /** Reconcile the key again after this long (a deadline of the decision: the probe's). */
  readonly requeueAfterMs?: number;
  /** Look again with backoff, in case the awaited event never comes. */
  readonly recheck?: boolean;
}

/** mcs-bridge beside Karmada's own MultiClusterService controllers. */
export class KarmadaCoexistence {
  readonly works: WorkCache;
  private readonly probes = new Map<string, { value: string; sentAt: number }>();
  /** Keys that wait for the hub's caches or the Works cache to sync. */
  private readonly waitingForSync = new Set<string>();
  /** Per key: the MCS's resourceVersion before a write of ours, until the cache shows a newer one. */
  private readonly unseenWrites = new Map<string, string | undefined>();

  constructor(private readonly o: KarmadaCoexistenceOptions) {
    this.works = new WorkCache({
      hub: o.hub,
      logger: o.logger,
      metrics: o.metrics,
      probeAnnotation: ANNOTATION_PROBE,
      onChange: o.onChange,
      onSynced: () => this.cachesSynced(),
      timers: o.timers,
      recheckMs: o.workApiRecheckMs,
    });
  }

  /**
   * A cache synced (the Works, or the hub's): the keys that waited for it are reconciled now.
   * The controller calls this for the hub's caches.
   */
  cachesSynced(): void {
    const keys = [...this.waitingForSync];
    this.waitingForSync.clear();
    for (const key of keys) this.o.onChange(key);
  }

  /** Forgets what is kept per key (the MCS is gone, or served by the ordinary planner). */
  private forget(key: string): void {
    this.probes.delete(key);
    this.unseenWrites.delete(key);
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
    if (!s.hubSynced || !this.works.synced) {
      this.waitingForSync.add(key);
      return { handled: true, recheck: true };
    }
    this.waitingForSync.delete(key);
    if (this.unseenWrites.has(key)) {
      // Decide only on a cache that has seen our last write on the MCS: its watch event
      // reconciles the key again.
      if (s.mcs && s.mcs.metadata?.resourceVersion === this.unseenWrites.get(key))
        return { handled: true, recheck: true };
      this.unseenWrites.delete(key);
    }
    if (!s.mcs) this.forget(key);
    const decision = decideCoexistence({
      namespace: s.namespace,
      name: s.name,
      mcs: s.mcs,
      works: this.works.worksOf(key),
      clusters: s.clusters,
      pullMembers: new Set(s.clusters.filter((m) => this.o.clusters.get(m.name)?.pull).map((m) => m.name)),
      takeover: this.o.takeover,
      probe: this.probeOnWallTime(key, s.now),
      probeTimeoutMs: this.o.probeTimeoutMs,
      now: s.now,
    });
    return this.carryOut(key, s.mcs, decision);
  }

  /**
   * The probe of `key` with its send time moved onto the wall time `wallNow` by the time that
   * passed on the monotonic clock: its timeout lasts as long as it says, whatever steps the wall
   * clock took meanwhile (a step forward would otherwise end it before Karmada could answer).
   */
  private probeOnWallTime(key: string, wallNow: number): { value: string; sentAt: number } | undefined {
    const probe = this.probes.get(key);
    if (!probe) return undefined;
    const monotonic = this.o.monotonic ?? this.o.now;
    return { value: probe.value, sentAt: wallNow - (monotonic() - probe.sentAt) };
  }

  private async carryOut(
    key: string,
    mcs: MultiClusterService | undefined,
    d: CoexistenceDecision,
  ): Promise<CoexistenceOutcome> {
    const { logger, now } = this.o;
    switch (d.kind) {
      case 'serve': {
        this.forget(key);
        if (!mcs) return { handled: false };
        const update = standingDownConditions(mcs.status?.conditions, undefined, now());
        if (!update.changed) return { handled: false };
        // Karmada's machinery is gone (taken over, or removed): the condition goes. The ordinary
        // planner runs once the watch has brought this write into the cache (its event
        // reconciles the key; reconcile() holds the key until then).
        await this.writeConditions(key, mcs, update.conditions);
        const message = `Karmada's MultiClusterService machinery for ${key} is gone: mcs-bridge serves it`;
        logger.info({ mcs: key }, message);
        await this.o.writer.record(mcs, [{ type: 'Normal', reason: 'ServingAfterKarmada', message }], true);
        return { handled: true, recheck: true };
      }
      case 'standDown': {
        let conditionWritten = false;
        if (mcs) {
          const update = standingDownConditions(mcs.status?.conditions, d, now());
          if (update.changed) {
            conditionWritten = true;
            await this.writeConditions(key, mcs, update.conditions);
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
        for (const w of d.withdraw) await withdrawOurWork(this.handover(), key, w);
        // One guarded write on the MCS per pass: a condition just written moved its resourceVersion.
        const release = d.releaseFinalizer && mcs !== undefined && !conditionWritten;
        if (release && mcs) await this.patchFinalizers(key, mcs, [FINALIZER_CLEANUP]);
        // The watch events of these writes reconcile the key again; the recheck is the safety net.
        const wrote =
          conditionWritten || release || d.handBack.length + d.unlabel.length + d.withdraw.length > 0;
        return wrote ? { handled: true, recheck: true } : { handled: true };
      }
      case 'probe': {
        if (!mcs) return { handled: true };
        await this.patchMcs(key, mcs, { metadata: { annotations: { [ANNOTATION_PROBE]: d.value } } });
        this.probes.set(key, { value: d.value, sentAt: (this.o.monotonic ?? now)() });
        logger.info(
          { mcs: key, probe: d.value },
          `Karmada's MultiClusterService machinery holds ${key}: probing whether Karmada's MultiClusterService controller still runs (annotation ${ANNOTATION_PROBE})`,
        );
        return { handled: true, requeueAfterMs: this.o.probeTimeoutMs };
      }
      case 'wait': {
        logger.debug({ mcs: key, why: d.why }, 'waiting before taking over from Karmada');
        // A wait with no end waits for an event (a source slice relabelled, a Work changed).
        return d.until !== undefined
          ? { handled: true, requeueAfterMs: Math.max(0, d.until - now()) }
          : { handled: true, recheck: true };
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
        // The member caches' events of these writes reconcile the key again.
        return { handled: true, recheck: true };
      }
      case 'release': {
        await this.release(key, mcs, d.works, d.orphanIn, d.removeFinalizer);
        // The Works cache's events of these deletes reconcile the key again.
        return { handled: true, recheck: true };
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
    orphanIn: readonly string[],
    removeFinalizer: boolean,
  ): Promise<void> {
    const order = { dispatched: 0, collected: 1, marker: 2 };
    for (const w of [...works].sort((a, b) => order[a.role] - order[b.role])) {
      const finalizers = finalizersAfterRelease(w.finalizers, orphanIn.includes(w.cluster));
      if (finalizers) {
        await this.hubWrite(`remove finalizers from Work ${w.namespace}/${w.name}`, {
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
    await this.releaseBinding(key, orphanIn);
    if (removeFinalizer && mcs) await this.patchFinalizers(key, mcs, [FINALIZER_KARMADA_MCS]);
    const message = `took ${key} over from Karmada: released ${works.length} Works of its MultiClusterService controllers${removeFinalizer ? ` and the finalizer ${FINALIZER_KARMADA_MCS}` : ''}; the copies in the members were kept in place`;
    this.o.logger.info({ mcs: key }, message);
    if (mcs)
      await this.o.writer.record(mcs, [{ type: 'Normal', reason: 'TakenOverFromKarmada', message }], true);
  }

  /**
   * Deletes the Service's ResourceBinding when Karmada's MCS controller made it (its Service
   * Works go with it); its Works in Pull members first lose the execution finalizer, so the
   * agents leave the Service copies in place for mcs-bridge's Works.
   */
  private async releaseBinding(key: string, orphanIn: readonly string[]): Promise<void> {
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
    const id = binding.metadata?.labels?.[LABEL_BINDING_PERMANENT_ID];
    if (orphanIn.length > 0 && id)
      await orphanBindingWorks(this.handover(), `${namespace}/${name}-service`, id, orphanIn);
    await this.hubWrite(`delete ResourceBinding ${namespace}/${name}-service`, {
      method: 'DELETE',
      path,
      body: { preconditions: { uid: binding.metadata?.uid } },
    });
  }

  private handover(): PullHandoverIo {
    return { hub: this.o.hub, logger: this.o.logger, write: (what, r) => this.hubWrite(what, r) };
  }

  private async hubWrite(what: string, r: Parameters<KubeClient['request']>[1]): Promise<void> {
    const verb = r.method === 'DELETE' ? 'delete' : r.method === 'PUT' ? 'update' : 'patch';
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
      throw Object.assign(failed(`failed to ${what} ${path} in ${cluster}`, err), { cluster });
    }
    this.o.logger.info({ mcs: key, cluster }, `${what} ${path} in ${cluster}`);
  }

  /** Writes the StandingDown condition (the only type this module owns) through the one guarded writer. */
  private async writeConditions(
    key: string,
    mcs: MultiClusterService,
    conditions: McsCondition[],
  ): Promise<void> {
    await this.o.writer.writeConditions(mcs, conditions, [CONDITION_STANDING_DOWN]);
    this.unseenWrites.set(key, mcs.metadata?.resourceVersion);
  }

  private async patchFinalizers(key: string, mcs: MultiClusterService, remove: string[]): Promise<void> {
    const finalizers = (mcs.metadata?.finalizers ?? []).filter((f) => !remove.includes(f));
    await this.patchMcs(key, mcs, { metadata: { finalizers } });
  }

  private async patchMcs(
    key: string,
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
    this.unseenWrites.set(key, mcs.metadata?.resourceVersion);
  }
}

/**
 * An error naming what failed, keeping the HTTP code and the Retry-After: the controller takes
 * a 409 (the object changed since the cache was read) as "reconcile again", not as a failure,
 * and backs a 429 off at least as long as the server asked.
 */
function failed(what: string, err: unknown): Error {
  return Object.assign(new Error(`${what}: ${describeApiError(err)}`), {
    statusCode: httpCode(err),
    retryAfterMs: retryAfterMs(err),
  });
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
