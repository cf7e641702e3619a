/**
 * `--cluster-source=karmada`: member clusters are Karmada's Cluster objects on the hub
 * (karmada-cluster.ts says how one becomes a member). The member list is rebuilt:
 * - when a Cluster is added or deleted, or its spec or Ready condition changes; a burst of
 *   such events makes one refresh, and the rest of the status, which Karmada rewrites every
 *   few seconds, makes none;
 * - every `refreshMs`, when every Secret is read again so rotated credentials are picked up.
 * Secrets are read concurrently, each bounded; between periodic refreshes the credentials read
 * last are reused. A refresh that fails is logged and retried with jittered backoff: refreshes
 * never stop. Every list of the Cluster objects (the first, one after a failed first, one after
 * a 410) asks for a refresh: its events come before the informer counts as synced.
 */
import type { Logger } from 'pino';
import { RetryBackoff } from '../../lib/backoff.ts';
import { describeApiError } from '../../lib/kube-errors.ts';
import { realTimers, type Timers } from '../../lib/timers.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import { trimObject } from '../kube/compact.ts';
import { Informer, type ListWatchSource } from '../kube/informer.ts';
import { apiListWatch } from '../kube/list-watch.ts';
import {
  type ClusterCredentials,
  clusterFingerprint,
  KARMADA_CLUSTER,
  type KarmadaCluster,
  memberFromCluster,
  secretRefOf,
} from './karmada-cluster.ts';
import type { ClusterSource, MemberDefinition } from './source.ts';

export { KARMADA_CLUSTER };

/** Options of a {@link KarmadaSource}. */
export interface KarmadaSourceOptions {
  hub: KubeClient;
  logger: Logger;
  /** Counts watch restarts of the Cluster objects (the syncer's `watch_restarts_total`). */
  onWatchRestart?: () => void;
  /** Told of every set of credentials read (to keep them out of the logs). */
  onCredentials?: (credentials: ClusterCredentials) => void;
  timers?: Timers;
  /** How often Secrets are read again, so rotated credentials are picked up (default 60 s). */
  refreshMs?: number;
  /** How long Cluster events are gathered into one refresh (default 100 ms). */
  coalesceMs?: number;
  /** Bound of one Secret read (default 10 s). */
  secretTimeoutMs?: number;
  /** First wait before a failed refresh is tried again; doubles up to 30 s, with jitter (default 1 s). */
  retryMs?: number;
  /** Random numbers in [0, 1) for the jitter of retries (default `Math.random`). */
  random?: () => number;
  /** Where the Cluster objects are listed and watched (default: the hub's API; fakes in tests). */
  clusters?: ListWatchSource<KarmadaCluster>;
}

/** Watches Cluster objects on the hub and reads their Secrets. */
export class KarmadaSource implements ClusterSource {
  readonly kind = 'karmada';
  private readonly informer: Informer<KarmadaCluster>;
  private readonly timers: Timers;
  private onChange: (members: MemberDefinition[]) => void = () => {};
  private delivered = false;
  private stopped = false;
  /** Per cluster: what of it was last turned into a member (see clusterFingerprint). */
  private readonly seen = new Map<string, string>();
  /** Per cluster: the Secret read last and what came of it. */
  private readonly credentials = new Map<string, { secret: string; value: ClusterCredentials }>();
  private timer: unknown;
  private periodic: unknown;
  private running: Promise<void> | undefined;
  /** A refresh was asked for while one ran: run once more after it. */
  private again = false;
  private rereadSecrets = false;
  /** start() has made its own first refresh, or found the first list failed. */
  private startedUp = false;
  private readonly retries: RetryBackoff;

  constructor(private readonly o: KarmadaSourceOptions) {
    this.timers = o.timers ?? realTimers;
    this.retries = new RetryBackoff(
      { baseMs: o.retryMs ?? 1_000, factor: 2, jitter: 0.5, capMs: 30_000 },
      o.random,
    );
    const { group, version, plural } = KARMADA_CLUSTER;
    this.informer = new Informer<KarmadaCluster>({
      cluster: o.hub.name,
      resource: plural,
      logger: o.logger,
      source:
        o.clusters ?? apiListWatch(o.hub, `/apis/${group}/${version}/${plural}`, { transform: trimObject }),
      onEvent: (event, cluster) => this.onClusterEvent(event, cluster),
      // A list's events come before the informer counts as synced, and are dropped by schedule().
      // start() refreshes after the first; the informer retries a failed first list on its own.
      onListed: () => {
        if (this.startedUp) this.schedule(0);
      },
      onRestart: o.onWatchRestart,
      timers: this.timers,
      random: o.random,
    });
  }

  get synced(): boolean {
    return this.delivered;
  }

  /** Starts watching; resolves once the first member list was delivered (or could not be). */
  async start(onChange: (members: MemberDefinition[]) => void): Promise<void> {
    this.onChange = onChange;
    this.stopped = false;
    await this.informer.start();
    if (this.informer.synced) await this.refreshNow(true);
    this.startedUp = true;
    this.schedulePeriodic();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clearTimeout(this.timer);
    this.timers.clearTimeout(this.periodic);
    await this.informer.stop();
    await this.running;
  }

  /** Restarts the watch of Cluster objects now (the hub answers again after an outage). */
  restartWatches(): void {
    void this.informer.restart();
  }

  private onClusterEvent(event: string, cluster: KarmadaCluster): void {
    const name = cluster.metadata?.name ?? '';
    if (event !== 'delete' && this.seen.get(name) === clusterFingerprint(cluster)) return;
    this.schedule(0);
  }

  private schedulePeriodic(): void {
    if (this.stopped) return;
    this.periodic = this.timers.setTimeout(() => {
      this.rereadSecrets = true;
      this.schedule(0);
      this.schedulePeriodic();
    }, this.o.refreshMs ?? 60_000);
  }

  /** Asks for a refresh after the coalescing window (plus `delayMs`); one refresh at a time. */
  private schedule(delayMs: number): void {
    if (this.stopped || !this.informer.synced) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer !== undefined) return;
    this.timer = this.timers.setTimeout(
      () => {
        this.timer = undefined;
        const reread = this.rereadSecrets;
        this.rereadSecrets = false;
        void this.refreshNow(reread);
      },
      delayMs + (this.o.coalesceMs ?? 100),
    );
  }

  /** Rebuilds the member list and delivers it; never rejects (a failure is retried). */
  private async refreshNow(rereadSecrets: boolean): Promise<void> {
    const run = this.refresh(rereadSecrets).then(
      () => this.retries.reset(),
      (err: unknown) => {
        const delay = this.retries.next();
        this.o.logger.error(
          { retryInMs: delay },
          `failed to refresh the member clusters from Karmada's Cluster objects: ${describeApiError(err)}`,
        );
        this.rereadSecrets ||= rereadSecrets;
        this.again = false;
        this.running = undefined;
        this.schedule(delay);
      },
    );
    this.running = run;
    await run;
    if (this.running !== run) return;
    this.running = undefined;
    if (this.again) {
      this.again = false;
      this.schedule(0);
    }
  }

  private async refresh(rereadSecrets: boolean): Promise<void> {
    const clusters = [...this.informer.list()];
    const members = await Promise.all(
      clusters.map(async (c) => {
        const { credentials, warning } = await this.credentialsOf(c, rereadSecrets);
        const member = memberFromCluster(c, credentials);
        return warning === undefined ? member : { ...member, credentialsWarning: warning };
      }),
    );
    const names = new Set(clusters.map((c) => c.metadata?.name ?? ''));
    for (const name of [...this.credentials.keys()]) if (!names.has(name)) this.credentials.delete(name);
    this.seen.clear();
    for (const c of clusters) this.seen.set(c.metadata?.name ?? '', clusterFingerprint(c));
    this.delivered = true;
    this.onChange(members);
  }

  /**
   * The cluster's credentials: read from its Secret, or as read last when allowed and unchanged.
   * A read that fails (a hub that does not answer, a 403) keeps the last good credentials, with
   * a warning: replacing them with none would cut off a member that still works. A Secret that
   * answers with no token is an answer, and is taken as one.
   */
  private async credentialsOf(
    cluster: KarmadaCluster,
    reread: boolean,
  ): Promise<{ credentials: ClusterCredentials | string; warning?: string }> {
    const name = cluster.metadata?.name ?? '';
    const secret = secretRefOf(cluster);
    if (!secret) return { credentials: 'its spec.secretRef is missing' };
    const cached = this.credentials.get(name);
    if (!reread && cached?.secret === secret) return { credentials: cached.value };
    const [namespace = '', secretName = ''] = secret.split('/');
    try {
      const found = await this.o.hub.request<{ data?: Record<string, string> }>('get', {
        method: 'GET',
        path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(secretName)}`,
        timeoutMs: this.o.secretTimeoutMs ?? 10_000,
      });
      const decode = (k: string) => {
        const v = found.data?.[k];
        return v ? Buffer.from(v, 'base64').toString('utf8') : undefined;
      };
      const token = decode('token');
      if (!token) return { credentials: `its Secret ${secret} has no token` };
      const value: ClusterCredentials = { token, caBundle: decode('caBundle') };
      this.o.onCredentials?.(value);
      this.credentials.set(name, { secret, value });
      return { credentials: value };
    } catch (err) {
      const why = `cannot read its Secret ${secret}: ${describeApiError(err)}`;
      if (!cached) {
        this.o.logger.warn({ cluster: name }, `member cluster ${name}: ${why}`);
        return { credentials: why };
      }
      // The registry logs it, once per change (engine/clusters.ts).
      return {
        credentials: cached.value,
        warning: `${why}; it keeps the credentials last read from ${cached.secret}`,
      };
    }
  }
}
