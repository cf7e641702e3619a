/**
 * The syncer's control loop. Watch events only enqueue MCS keys; a worker takes a key,
 * builds the snapshot from the caches, asks the planner what to write, writes it, and
 * records the outcome in the MCS status. Level-triggered: a reconcile recomputes the
 * whole desired state of its key, so a missed event costs at most one resync period.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeApiError, httpCode, retryAfterMs } from '../../lib/kube-errors.ts';
import { type Clocks, realTimers, type Timers } from '../../lib/timers.ts';
import type { MultiClusterService } from '../api/types.ts';
import { amendWithWorkRefusals, workRefusals } from '../karmada/pull-status.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import type { WriteGate } from '../kube/write-gate.ts';
import {
  exportKey,
  exportKeyOf,
  FINALIZER_CLEANUP,
  LABEL_MCS_API_SERVICE_NAME,
  LABEL_SERVICE_NAME,
  mcsKey,
} from '../names.ts';
import { type Action, actionKey, describeAction } from '../plan/actions.ts';
import { resolveClusterSets } from '../plan/clusters.ts';
import { planMcs } from '../plan/plan.ts';
import { isOwnedService } from '../plan/service.ts';
import { isOwnedSlice } from '../plan/slices.ts';
import { statusFor } from '../plan/status.ts';
import type { ClusterSource, MemberDefinition } from '../sources/source.ts';
import { CidrChecks } from './cidr-status.ts';
import { ClusterRegistry } from './clusters.ts';
import { WriteEchoes } from './echoes.ts';
import { executeActions } from './executor.ts';
import { ExportReconcileError, reconcileExport } from './export-reconcile.ts';
import { HubCache, type HubEvent } from './hub-cache.ts';
import { HubHealth } from './hub-health.ts';
import { KarmadaCoexistence } from './karmada-coexistence.ts';
import { McsWriter } from './mcs-writer.ts';
import type { MemberEvent } from './member-cache.ts';
import type { SyncerMetrics } from './metrics.ts';
import { PullMemberClient } from './pull-member-client.ts';
import { type FailureInfo, WorkQueue } from './queue.ts';
import { buildSnapshot } from './snapshot.ts';
import { WriteLanes } from './write-lanes.ts';

/** A member that keeps turning slow and back is warned about at most this often. */
const SLOW_WARN_EVERY_MS = 60_000;

/** Options of the {@link Controller}. */
export interface ControllerOptions {
  hub: KubeClient;
  source: ClusterSource;
  logger: Logger;
  metrics: SyncerMetrics;
  /** Monotonic for every wait, backoff and grace period; wall only for times written to the hub. */
  clocks: Clocks;
  /** Keys reconciled at once. */
  workers: number;
  unreadyGraceMs?: number;
  /** How often member clusters are probed. */
  healthIntervalMs: number;
  /** How often every key is reconciled again without an event (0: never). */
  resyncMs: number;
  /** This replica's name (Events' reportingInstance). */
  instance: string;
  failureThreshold?: number;
  /** How long a reconcile waits for one member's writes before going on without them (see write-lanes.ts). */
  slowMemberWaitMs?: number;
  /** The fence of every write (see kube/write-gate.ts). */
  gate?: WriteGate;
  /** Bound of one /readyz probe of the hub or a member (default 5 s). */
  probeTimeoutMs?: number;
  /** Bound of every other API request to a member (`--request-timeout`). */
  requestTimeoutMs?: number;
  /** Timers of the queue and the write lanes (default: the real ones). */
  timers?: Timers;
  /** The client of a member (default: its API through its kubeconfig; fakes in tests). */
  clientFor?: (def: MemberDefinition) => KubeClient | undefined;
  /** Beside Karmada's own MultiClusterService controllers (see karmada-coexistence.ts); off when undefined. */
  karmada?: { takeover: boolean; probeTimeoutMs: number };
  /** Serve members' ServiceExports through the MCS API (`--mcs-api`); off when undefined. */
  mcsApi?: boolean;
}

/** What a reconcile asks of the queue: run again after a delay, or retry with backoff. */
interface ReconcileOutcome {
  requeueAfter?: number;
  /** Writes met objects that changed under them, or someone else's: retry with backoff. */
  retry?: boolean;
  /** The clusters those writes went to. */
  origins?: readonly string[];
  /** Waits for an event (a cache to sync, a write to come back): look again with backoff meanwhile. */
  waiting?: boolean;
}

/**
 * A reconcile that failed, with what the queue needs to back it off: the clusters whose
 * answers failed it, and the longest Retry-After they asked for.
 */
export class ReconcileError extends Error {
  constructor(
    message: string,
    readonly origins: readonly string[],
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Where a reconcile's error came from: a member's writes say so; anything else was the hub's answer. */
function failureOf(err: unknown): FailureInfo {
  if (err instanceof ReconcileError || err instanceof ExportReconcileError)
    return { origins: err.origins, retryAfterMs: err.retryAfterMs };
  const e = err as { cluster?: unknown; retryAfterMs?: unknown } | undefined;
  const wait = typeof e?.retryAfterMs === 'number' ? e.retryAfterMs : retryAfterMs(err);
  return { origins: [typeof e?.cluster === 'string' ? e.cluster : 'hub'], retryAfterMs: wait };
}

/** Runs the caches, and the workers once this replica leads. */
export class Controller {
  readonly queue: WorkQueue;
  readonly hub: HubCache;
  readonly clusters: ClusterRegistry;
  private readonly writer: McsWriter;
  private readonly karmada?: KarmadaCoexistence;
  private readonly echoes: WriteEchoes;
  private readonly lanes: WriteLanes;
  private readonly hubHealth: HubHealth;
  private readonly cidrs: CidrChecks;
  private readonly slowWarnedAt = new Map<string, number>();
  /** Per key: when a source slice change was first seen and not yet carried out. */
  private readonly pendingSince = new Map<string, number>();
  private sourceUpdates: Promise<void> = Promise.resolve();
  private readonly intervals: NodeJS.Timeout[] = [];
  private readonly workers: Promise<void>[] = [];

  constructor(private readonly o: ControllerOptions) {
    this.queue = new WorkQueue(o.timers ?? realTimers, undefined, undefined, o.clocks.monotonic);
    this.hub = new HubCache(
      o.hub,
      o.logger,
      o.metrics,
      (e) => this.onHubEvent(e),
      // Keys that failed against the hub while it was away (status writes) retry now, not
      // after their backoff, and everything is reconciled against what changed meanwhile.
      () => this.hubRecovered(),
      // Keys that wait for the hub's caches (beside Karmada) are reconciled once they list.
      () => this.karmada?.cachesSynced(),
    );
    this.clusters = new ClusterRegistry({
      logger: o.logger,
      metrics: o.metrics,
      now: o.clocks.monotonic,
      failureThreshold: o.failureThreshold,
      probeTimeoutMs: o.probeTimeoutMs,
      requestTimeoutMs: o.requestTimeoutMs,
      gate: o.gate,
      mcsApi: o.mcsApi,
      // A Pull-mode member is reached through its Works on the hub (pull-member-client.ts).
      clientFor: (def) =>
        o.clientFor?.(def) ??
        (def.pull ? new PullMemberClient({ cluster: def.name, hub: o.hub }) : undefined),
      onEvent: (cluster, e) => this.onMemberEvent(cluster, e),
      onChange: (cluster, what) => {
        // A cluster back from an outage: what failed against it retries now, not after its
        // backoff, and the MultiClusterServices that name it are reconciled; no other key is touched.
        if (what === 'ready' || what === 'not-ready') this.memberChanged(cluster, what === 'ready');
        // A cache that filled for the first time may hold orphans, and lets held statuses be written.
        else this.enqueueAll(what === 'removed' || what === 'synced');
      },
    });
    this.hubHealth = new HubHealth({
      client: o.hub,
      logger: o.logger,
      probeTimeoutMs: o.probeTimeoutMs,
      setReady: (ready) => o.metrics.hubReady.set(ready ? 1 : 0),
      onRecovered: () => {
        // The watches may hang on connections that went silent: start them afresh.
        void this.hub.restart();
        this.o.source.restartWatches?.();
        this.hubRecovered();
      },
    });
    this.writer = new McsWriter(o.hub, o.logger, o.clocks, o.instance);
    if (o.karmada) {
      this.karmada = new KarmadaCoexistence({
        ...o.karmada,
        hub: o.hub,
        clusters: this.clusters,
        writer: this.writer,
        logger: o.logger,
        metrics: o.metrics,
        now: o.clocks.wall,
        monotonic: o.clocks.monotonic,
        timers: o.timers,
        onChange: (key) => {
          this.queue.add(key);
          o.metrics.queueDepth.set(this.queue.length);
        },
      });
    }
    this.echoes = new WriteEchoes(o.clocks.monotonic);
    this.cidrs = new CidrChecks(o.metrics);
    this.lanes = new WriteLanes({
      waitMs: o.slowMemberWaitMs ?? 1_000,
      maxPerCluster: o.workers,
      now: o.clocks.monotonic,
      timers: o.timers ?? realTimers,
      onSettled: (key) => {
        this.queue.add(key);
        o.metrics.queueDepth.set(this.queue.length);
      },
      onSlowChange: (cluster, slow, tookMs) => {
        o.metrics.clusterSlow.set({ cluster }, slow ? 1 : 0);
        const took = `${(tookMs / 1000).toFixed(1)} s`;
        // Under load a member may cross the line often: warn once a minute, the rest at debug.
        const last = this.slowWarnedAt.get(cluster);
        const quiet = last !== undefined && o.clocks.monotonic() - last < SLOW_WARN_EVERY_MS;
        if (slow && !quiet) this.slowWarnedAt.set(cluster, o.clocks.monotonic());
        if (quiet)
          o.logger.debug(
            { cluster, slow, tookMs },
            `member cluster ${cluster} ${slow ? 'slow' : 'in time'} (${took})`,
          );
        else if (slow)
          o.logger.warn(
            { cluster, tookMs },
            `member cluster ${cluster} answers slowly (writes took ${took}): reconciles go on without waiting for it, and its writes finish in the background`,
          );
        else o.logger.info({ cluster, tookMs }, `member cluster ${cluster} answers in time again (${took})`);
      },
    });
  }

  /** True once the hub caches and the cluster source have synced (the readiness probe). */
  get synced(): boolean {
    return this.hub.synced && this.o.source.synced && (this.karmada?.synced ?? true);
  }

  /** Starts the caches, the cluster source and the health probes; workers start with {@link runWorkers}. */
  async start(): Promise<void> {
    await this.hub.start();
    await this.karmada?.start();
    await this.o.source.start((members) => {
      // Source updates are applied one at a time, in order.
      this.sourceUpdates = this.sourceUpdates
        .then(() => this.clusters.update(members))
        // The source's first list makes the hub side synced: keys that waited for it go on.
        .then(() => this.karmada?.cachesSynced())
        .catch((err) =>
          this.o.logger.error(`failed to apply the member cluster list: ${describeApiError(err)}`),
        );
    });
    await this.sourceUpdates;
    this.intervals.push(
      setInterval(() => {
        void this.clusters.probeAll();
        void this.hubHealth.probe();
        this.lanes.releaseIdle();
        this.countDispatched();
        this.echoes.sweep();
      }, this.o.healthIntervalMs),
    );
    if (this.o.resyncMs > 0) this.intervals.push(setInterval(() => this.enqueueAll(true), this.o.resyncMs));
    for (const t of this.intervals) t.unref();
  }

  /**
   * Waits until the hub caches and the cluster source have synced, and every member has
   * either synced or been found not ready (its first probe is bounded), or until `timeoutMs`.
   * A member that never answers delays this by one probe timeout at most; nothing is written
   * to or deleted from it meanwhile, and its cache fills later on its own.
   */
  async waitForSync(timeoutMs: number): Promise<void> {
    const now = this.o.clocks.monotonic;
    const deadline = now() + timeoutMs;
    const waitingFor = () =>
      this.clusters
        .list()
        .filter((m) => !m.cache.synced && (m.ready || m.reachable === undefined))
        .map((m) => m.name);
    while (now() < deadline) {
      if (this.synced && waitingFor().length === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    const waiting = this.synced ? waitingFor() : ['hub'];
    this.o.logger.warn(
      { clusters: waiting },
      `starting with unsynced caches (${waiting.join(', ')}): nothing is deleted there until they sync`,
    );
  }

  /** Starts the workers (call once leading) after enqueueing every key, orphans included. */
  runWorkers(): void {
    this.enqueueAll(true);
    this.o.logger.info({ workers: this.o.workers, keys: this.queue.length }, 'workers started');
    for (let i = 0; i < this.o.workers; i++) this.workers.push(this.work());
  }

  /**
   * Stops the workers after their current key and the write chains still running in the
   * background; resolves once none runs (the caller bounds the wait, see shutdown.ts).
   */
  async drainWrites(): Promise<void> {
    for (const t of this.intervals) clearInterval(t);
    this.queue.shutDown();
    this.lanes.shutDown();
    await Promise.all(this.workers);
    await this.lanes.drain();
  }

  /** Stops the caches and the cluster source (after {@link drainWrites}). */
  async stopCaches(): Promise<void> {
    for (const t of this.intervals) clearInterval(t);
    await this.o.source.stop();
    await this.clusters.stop();
    await this.karmada?.stop();
    await this.hub.stop();
  }

  /**
   * Enqueues every MCS key and, with `orphans`, every key under which a member holds our
   * objects. With `keepBackoff`, a key waiting out a rate-limited retry keeps waiting.
   */
  enqueueAll(orphans: boolean, keepBackoff = false): void {
    const add = (key: string) => (keepBackoff ? this.queue.addUnlessRetrying(key) : this.queue.add(key));
    for (const mcs of this.hub.mcs.list())
      add(mcsKey(mcs.metadata?.namespace ?? '', mcs.metadata?.name ?? ''));
    for (const key of this.exportKeys()) add(key);
    if (orphans) {
      for (const key of this.karmada?.works.keys() ?? []) add(key);
      for (const m of this.clusters.list()) for (const key of this.ownedKeys(m.name)) add(key);
    }
    this.o.metrics.queueDepth.set(this.queue.length);
  }

  /** The keys under which member `cluster` holds our Services or EndpointSlices. */
  private ownedKeys(cluster: string): string[] {
    const m = this.clusters.get(cluster);
    if (!m) return [];
    const keys = new Set<string>();
    for (const svc of m.cache.services.list()) {
      if (isOwnedService(svc)) keys.add(keyOfOwned(svc, 'Service'));
    }
    for (const key of m.cache.serviceKeys()) {
      const [ns = '', name = ''] = key.split('/');
      const owned = m.cache.slicesOf(ns, name).find(isOwnedSlice);
      if (owned) keys.add(keyOfOwned(owned, 'EndpointSlice'));
    }
    for (const si of m.cache.mcsApi?.imports.list() ?? [])
      keys.add(exportKey(si.metadata?.namespace ?? '', si.metadata?.name ?? ''));
    return [...keys];
  }

  /** The keys of every Service some member exports through the MCS API. */
  private exportKeys(): string[] {
    const keys = new Set<string>();
    for (const m of this.clusters.list())
      for (const e of m.cache.mcsApi?.exports.list() ?? [])
        keys.add(exportKey(e.metadata?.namespace ?? '', e.metadata?.name ?? ''));
    return [...keys];
  }

  /** Whether some member exports `namespace/name` through the MCS API. */
  private isExported(namespace: string, name: string): boolean {
    return this.clusters.list().some((m) => m.cache.mcsApi?.exports.get(name, namespace) !== undefined);
  }

  /**
   * The hub answers again: the keys that failed against it start their backoff over (still
   * through the retry bucket), and every key is reconciled against what changed meanwhile,
   * except those waiting out a failure against a member.
   */
  private hubRecovered(): void {
    this.queue.recovered('hub');
    this.enqueueAll(true, true);
  }

  /**
   * Member `cluster` turned ready or not ready: the MultiClusterServices that name it (and the
   * keys of our objects in it) are reconciled, except those waiting out a failure elsewhere;
   * back from an outage, the keys that failed against it start their backoff over. Keys of
   * other clusters are not touched.
   */
  private memberChanged(cluster: string, recovered: boolean): void {
    if (recovered) this.queue.recovered(cluster);
    const known = this.clusters.list().map((m) => m.name);
    for (const mcs of this.hub.mcs.list()) {
      const sets = resolveClusterSets(mcs.spec ?? {}, known);
      if (sets.providers.has(cluster) || sets.consumers.has(cluster))
        this.queue.addUnlessRetrying(mcsKey(mcs.metadata?.namespace ?? '', mcs.metadata?.name ?? ''));
    }
    for (const key of this.ownedKeys(cluster)) this.queue.addUnlessRetrying(key);
    for (const key of this.exportKeys()) this.queue.addUnlessRetrying(key);
    this.o.metrics.queueDepth.set(this.queue.length);
  }

  private onHubEvent(e: HubEvent): void {
    const ns = e.object.metadata?.namespace ?? '';
    const name = e.object.metadata?.name ?? '';
    // An MCS of an exported Service decides where the ServiceImport's copies come from.
    if (e.kind === 'MultiClusterService' && this.isExported(ns, name)) this.queue.add(exportKey(ns, name));
    if (e.kind !== 'MultiClusterService' && !this.hub.mcs.get(name, ns)) return;
    const key = mcsKey(ns, name);
    this.unlessEcho('hub', e.kind, e.event, e.object, () => this.queue.add(key));
  }

  private onMemberEvent(cluster: string, e: MemberEvent): void {
    const ns = e.object.metadata?.namespace ?? '';
    this.o.logger.trace(
      {
        cluster,
        kind: e.kind,
        event: e.event,
        object: `${ns}/${e.object.metadata?.name}@${e.object.metadata?.resourceVersion}`,
      },
      'member event',
    );
    let keys: string[] = [];
    switch (e.kind) {
      case 'EndpointSlice': {
        const svc = e.object.metadata?.labels?.[LABEL_SERVICE_NAME];
        if (!svc) return;
        if (isOwnedSlice(e.object)) {
          keys = [keyOfOwned(e.object, 'EndpointSlice')];
          break;
        }
        // A source slice: of an MCS's Service, of an exported one, or none of our business.
        if (this.isExported(ns, svc)) keys.push(exportKey(ns, svc));
        if (!this.hub.mcs.get(svc, ns)) break;
        const key = mcsKey(ns, svc);
        if (!this.pendingSince.has(key)) this.pendingSince.set(key, this.o.clocks.monotonic());
        keys.push(key);
        break;
      }
      case 'Service': {
        const name = e.object.metadata?.name ?? '';
        if (isOwnedService(e.object)) keys = [keyOfOwned(e.object, 'Service')];
        else if (this.hub.mcs.get(name, ns)) keys = [mcsKey(ns, name)];
        // The exported Service itself (its ports, its type) or an MCS copy an import points at.
        if (this.isExported(ns, name)) keys.push(exportKey(ns, name));
        break;
      }
      case 'ServiceExport':
      case 'ServiceImport':
        keys = [exportKey(ns, e.object.metadata?.name ?? '')];
        break;
      case 'Namespace':
        keys = this.hub.mcs
          .list(e.object.metadata?.name)
          .map((mcs) => mcsKey(mcs.metadata?.namespace ?? '', mcs.metadata?.name ?? ''));
        break;
      case 'ClusterNetworks': // its own CIDRs changed: every MCS's overlap check may change
        keys = this.hub.mcs
          .list()
          .map((mcs) => mcsKey(mcs.metadata?.namespace ?? '', mcs.metadata?.name ?? ''));
        break;
    }
    if (keys.length === 0) return;
    this.unlessEcho(cluster, e.kind, e.event, e.object, () => {
      for (const k of keys) this.queue.add(k);
    });
  }

  /** Runs `enqueue` (and counts the queue) unless the event only brings back our own write (see echoes.ts). */
  private unlessEcho(
    cluster: string,
    kind: string,
    event: string,
    o: { metadata?: { namespace?: string; name?: string; resourceVersion?: string } },
    enqueue: () => void,
  ): void {
    const m = o.metadata ?? {};
    const ref = { cluster, kind, namespace: m.namespace ?? '', name: m.name ?? '' };
    const act = () => {
      enqueue();
      this.o.metrics.queueDepth.set(this.queue.length);
    };
    if (!this.echoes.absorbs(ref, m.resourceVersion, event === 'delete', act)) act();
  }

  /** One write on the MCS itself, announced to the echo registry. */
  private async mcsWrite(
    ref: { cluster: string; kind: string; namespace: string; name: string },
    write: () => Promise<string | undefined>,
  ): Promise<void> {
    this.echoes.sending(ref);
    let outcome: string | undefined = 'failed';
    try {
      outcome = await write();
    } finally {
      this.echoes.answered(ref, outcome);
    }
  }

  private async work(): Promise<void> {
    const { metrics, logger } = this.o;
    const now = this.o.clocks.monotonic;
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      const started = now();
      try {
        const outcome = await this.reconcile(key);
        if (outcome.waiting) {
          // The event awaited reconciles the key; the backed-off look is the safety net.
          const delay = this.queue.addRateLimited(key, { origins: ['hub'] });
          metrics.reconciles.inc({ result: 'waiting' });
          logger.debug({ mcs: key, recheckInMs: delay }, `MultiClusterService ${key}: waiting`);
        } else if (outcome.retry) {
          const delay = this.queue.addRateLimited(key, { origins: outcome.origins });
          metrics.reconciles.inc({ result: 'conflict' });
          logger.debug(
            { mcs: key, retryInMs: delay },
            `MultiClusterService ${key}: writes met changed objects`,
          );
        } else {
          this.queue.forget(key);
          metrics.reconciles.inc({ result: 'success' });
          if (outcome.requeueAfter !== undefined) this.queue.addAfter(key, outcome.requeueAfter);
        }
      } catch (err) {
        const delay = this.queue.addRateLimited(key, failureOf(err));
        const code = httpCode(err);
        if (code === 409 || code === 404) {
          // The MCS changed (its finalizer write was refused) or went away since the cache
          // was read: not an error; its watch event requeues the key, the backoff is a safety net.
          metrics.reconciles.inc({ result: 'conflict' });
          logger.debug({ mcs: key }, `MultiClusterService ${key} changed meanwhile: reconciling again`);
          continue;
        }
        metrics.reconciles.inc({ result: 'error' });
        logger.warn(
          { mcs: key, retryInMs: delay },
          `reconcile of MultiClusterService ${key} failed: ${describeApiError(err)}`,
        );
      } finally {
        this.queue.done(key);
        metrics.reconcileDuration.observe((now() - started) / 1000);
        metrics.queueDepth.set(this.queue.length);
      }
    }
  }

  /** One reconcile of one key; says when to run it again, if at all. */
  private async reconcile(key: string): Promise<ReconcileOutcome> {
    const exported = exportKeyOf(key);
    if (exported) {
      return reconcileExport(key, exported, {
        hub: this.hub,
        sourceSynced: this.o.source.synced,
        members: this.clusters.list(),
        clocks: this.o.clocks,
        unreadyGraceMs: this.o.unreadyGraceMs,
        logger: this.o.logger,
        echoes: this.echoes,
        lanes: this.lanes,
        target: (c) => this.target(c),
      });
    }
    const { logger, metrics } = this.o;
    const { wall, monotonic } = this.o.clocks;
    const now = wall;
    const plannedAt = monotonic();
    const snapshot = buildSnapshot(key, {
      hub: this.hub,
      sourceSynced: this.o.source.synced,
      members: this.clusters.list(),
      now: now(),
      monotonicNow: plannedAt,
      unreadyGraceMs: this.o.unreadyGraceMs,
    });
    // Karmada's own MultiClusterService machinery first: while it holds this MCS, or while
    // mcs-bridge takes it over, the ordinary planner does not run (karmada-coexistence.ts).
    if (this.karmada) {
      const outcome = await this.karmada.reconcile(key, snapshot);
      if (outcome.handled) {
        // Nothing of ours is written for it now: a source change seen meanwhile has no latency to measure.
        this.pendingSince.delete(key);
        if (outcome.recheck) return { waiting: true };
        return outcome.requeueAfterMs !== undefined ? { requeueAfter: outcome.requeueAfterMs } : {};
      }
    }
    const plan = planMcs(snapshot);
    const mcs = snapshot.mcs;
    if (logger.isLevelEnabled('debug')) {
      logger.debug(
        {
          mcs: key,
          exists: Boolean(mcs),
          hubSynced: snapshot.hubSynced,
          clusters: snapshot.clusters.map((c) => ({
            name: c.name,
            ready: c.ready,
            synced: c.synced,
            slices: c.endpointSlices.map(
              (s) => `${s.metadata?.name}@${s.metadata?.resourceVersion}:${s.endpoints?.length ?? 0}`,
            ),
          })),
          actions: plan.actions.map(describeAction),
          finalizer: plan.finalizer,
        },
        'planned',
      );
    }
    const mcsRef = {
      cluster: 'hub',
      kind: 'MultiClusterService',
      namespace: snapshot.namespace,
      name: snapshot.name,
    };
    // Each write on the MCS is guarded by its resourceVersion: the next one in this reconcile
    // starts from the version the last one left, not from the cache's.
    let current = mcs;
    const advance = async (
      write: (m: MultiClusterService) => Promise<string | undefined>,
      metadata: (m: MultiClusterService) => MultiClusterService['metadata'] = (m) => m.metadata,
    ) => {
      const from = current;
      if (!from) return;
      await this.mcsWrite(mcsRef, async () => {
        const version = await write(from);
        if (version) current = { ...from, metadata: { ...metadata(from), resourceVersion: version } };
        return version;
      });
    };
    if (plan.finalizer === 'add' && mcs) {
      await advance(
        (m) => this.writer.setFinalizer(m, true),
        (m) => ({ ...m.metadata, finalizers: [...(m.metadata?.finalizers ?? []), FINALIZER_CLEANUP] }),
      );
    }
    const seenAt = this.pendingSince.get(key);
    const refOf = (a: Action) => ({ cluster: a.cluster, kind: a.kind, namespace: a.namespace, name: a.name });
    const hooks = {
      sending: (a: Action) => this.echoes.sending(refOf(a)),
      answered: (a: Action, outcome: string | undefined) => {
        this.echoes.answered(refOf(a), outcome);
        if (outcome === 'failed') return;
        logger.info({ mcs: key, cluster: a.cluster, reason: a.reason }, describeAction(a));
        if (a.kind === 'EndpointSlice' && seenAt !== undefined) {
          metrics.propagationLatency.observe((monotonic() - seenAt) / 1000);
        }
      },
    };
    const executed =
      plan.actions.length > 0
        ? await executeActions(plan.actions, (c) => this.target(c), hooks, { lanes: this.lanes, key })
        : [];
    // Actions whose object changed under them, or that still run against a slow member, are
    // judged on the next reconcile, not now.
    const stale = new Set(executed.filter((r) => r.stale).map((r) => actionKey(r.action)));
    const pending = executed.filter((r) => r.pending).length;
    const results = executed.filter((r) => !r.stale && !r.pending);
    const later = new Set(executed.filter((r) => r.stale || r.pending).map((r) => actionKey(r.action)));
    const judged =
      later.size > 0 ? { ...plan, actions: plan.actions.filter((a) => !later.has(actionKey(a))) } : plan;
    const failed = results.filter((r) => r.error !== undefined);
    if (stale.size > 0)
      logger.debug({ mcs: key, stale: [...stale] }, 'writes met newer objects: reconciling again');
    if (mcs) {
      const checked = this.cidrs.amend(
        key,
        snapshot,
        plan,
        statusFor(judged, results, { now: now(), previous: mcs.status?.conditions }),
        (cluster) => this.clusters.get(cluster)?.cache.networks.ranges(),
        now(),
      );
      // Pull-mode members: what their agents made of our Works (karmada/pull-status.ts).
      const update = plan.status
        ? amendWithWorkRefusals(checked, workRefusals(snapshot), mcs.status?.conditions, rfc3339(now()))
        : checked;
      // With writes still running, the status would claim too early: their end requeues the key.
      if (plan.status && update.changed && pending === 0) {
        await advance((m) => this.writer.writeConditions(m, update.conditions));
      }
      // A deleting MCS has no status to tie its events to: record them (deduplicated) anyway.
      await this.writer.record(mcs, [...plan.events, ...update.events], update.changed || !plan.status);
    }
    if (!mcs) this.cidrs.forget(key);
    if (plan.finalizer === 'remove' && mcs && failed.length === 0 && later.size === 0) {
      await advance((m) => this.writer.setFinalizer(m, false));
    }
    if (failed.length > 0) {
      const first = failed[0];
      const waits = failed.map((r) => r.retryAfterMs ?? 0);
      throw new ReconcileError(
        `${failed.length} of ${results.length} writes failed, first: ${first ? `${describeAction(first.action)}: ${first.error}` : ''}`,
        [...new Set(failed.map((r) => r.action.cluster))],
        Math.max(...waits) || undefined,
      );
    }
    // Objects changed under the writes, or someone else's hold our names: retried with backoff.
    const changed = executed.filter((r) => r.stale || r.conflict !== undefined);
    if (changed.length > 0)
      return { retry: true, origins: [...new Set(changed.map((r) => r.action.cluster))] };
    if (pending > 0) return {};
    if (seenAt !== undefined && this.pendingSince.get(key) === seenAt) this.pendingSince.delete(key);
    // requeueAt is on the snapshot's wall time; what has passed since is measured on the monotonic clock.
    return plan.requeueAt !== undefined
      ? { requeueAfter: Math.max(0, plan.requeueAt - snapshot.now - (monotonic() - plannedAt)) }
      : {};
  }

  private target(cluster: string) {
    const m = this.clusters.get(cluster);
    if (!m) return undefined;
    return { client: m.client, cachedService: (ns: string, name: string) => m.cache.services.get(name, ns) };
  }

  private countDispatched(): void {
    for (const m of this.clusters.list()) {
      const n = m.cache.slices.list().filter(isOwnedSlice).length;
      this.o.metrics.dispatchedSlices.set({ cluster: m.name }, n);
    }
  }
}

/**
 * The key an object of ours belongs to: the exported Service it backs (MCS API, by its
 * `multicluster.kubernetes.io/service-name` label), else the MCS of its Service (a Service
 * copy's own name, a slice copy's service-name label).
 */
function keyOfOwned(o: V1Service | V1EndpointSlice, kind: 'Service' | 'EndpointSlice'): string {
  const ns = o.metadata?.namespace ?? '';
  const labels = o.metadata?.labels ?? {};
  const exported = labels[LABEL_MCS_API_SERVICE_NAME];
  if (exported !== undefined) return exportKey(ns, exported);
  return mcsKey(ns, (kind === 'Service' ? o.metadata?.name : labels[LABEL_SERVICE_NAME]) ?? '');
}

/** RFC 3339 with seconds, as `metav1.Time` serializes. */
function rfc3339(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
