/**
 * The member clusters the syncer works with: their clients and caches, and whether each
 * is ready. A cluster is ready when its source says so (Karmada's Ready condition; a
 * kubeconfig context always) and the syncer's own probe of its /readyz has not failed
 * `failureThreshold` times in a row. Readiness changes are reported so the controller can
 * requeue every MCS, and a cluster that comes back has its watches restarted at once.
 */
import type { Logger } from 'pino';
import { ClusterClient, type KubeClient } from '../kube/cluster-client.ts';
import { SwappableClient } from '../kube/swappable-client.ts';
import type { WriteGate } from '../kube/write-gate.ts';
import type { MemberDefinition } from '../sources/source.ts';
import { MemberCache, type MemberEvent } from './member-cache.ts';
import type { SyncerMetrics } from './metrics.ts';

/** One member cluster at run time. */
export interface Member {
  readonly name: string;
  /** Its API, through the endpoint and credentials its source gave last. */
  readonly client: SwappableClient;
  readonly cache: MemberCache;
  /** Ready as defined above. */
  ready: boolean;
  /** Since when it is not ready, in the current outage (on the monotonic clock). */
  notReadySince?: number;
  /** Why it is not ready, for status messages and logs. */
  reason?: string;
  sourceReady: boolean;
  sourceReason?: string;
  probeFailures: number;
  /** Whether the last probes found its API server; undefined before the first probe. */
  reachable?: boolean;
  fingerprint: string;
  /** A Karmada Pull-mode member, reached through the Works of its execution space. */
  readonly pull: boolean;
  /** Set while its source could not read its credentials again and it keeps the last good ones. */
  credentialsWarning?: string;
}

/** Options of a {@link ClusterRegistry}. */
export interface ClusterRegistryOptions {
  logger: Logger;
  metrics: SyncerMetrics;
  /** The monotonic clock (not-ready times are measured against grace periods). */
  now: () => number;
  /** Member cache events, passed through to the controller. */
  onEvent: (cluster: string, e: MemberEvent) => void;
  /** A cluster was added, removed, changed readiness, or its caches filled for the first time. */
  onChange: (cluster: string, what: 'added' | 'removed' | 'ready' | 'not-ready' | 'synced') => void;
  /** Probes a cluster; resolves true when healthy. Default: GET /readyz, bounded by `probeTimeoutMs`. */
  probe?: (client: KubeClient) => Promise<boolean>;
  probeTimeoutMs?: number;
  failureThreshold?: number;
  /** The fence of every write (see kube/write-gate.ts). */
  gate?: WriteGate;
  /** Bound of every API request to a member (`--request-timeout`; default raw-api.ts's). */
  requestTimeoutMs?: number;
  /** The client of a member (undefined, or no function: its API through its kubeconfig; fakes in tests). */
  clientFor?: (def: MemberDefinition) => KubeClient | undefined;
  /** Whether members (other than Pull members) are watched for the MCS API's objects (`--mcs-api`). */
  mcsApi?: boolean;
}

/** Default bound of one /readyz probe: a member that does not answer within it is not ready. */
export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

/** Registry of member clusters. */
export class ClusterRegistry {
  private readonly members = new Map<string, Member>();
  private readonly probe: (client: KubeClient) => Promise<boolean>;

  constructor(private readonly o: ClusterRegistryOptions) {
    const timeoutMs = o.probeTimeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
    this.probe =
      o.probe ??
      (async (client) => {
        await client.request('get', { method: 'GET', path: '/readyz', answer: 'text', timeoutMs });
        return true;
      });
  }

  /** The members, in name order. */
  list(): Member[] {
    return [...this.members.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** One member by name. */
  get(name: string): Member | undefined {
    return this.members.get(name);
  }

  /**
   * Brings the registry in line with the source's list: adds, updates and removes members.
   * New members start together, each on its own: their caches fill in the background, and this
   * resolves once each has been probed (bounded by the probe timeout), so a member that accepts
   * connections and never answers holds up neither the others nor the caller for longer.
   *
   * A member whose endpoint or credentials changed is updated in place, as client-go's
   * transports take a rotated token: it stays in the registry (a reconcile meanwhile must never
   * find it missing, which would plan to delete its copies everywhere), its caches are kept and
   * their watches reopened with the new credentials, and it is probed with them.
   */
  async update(defs: readonly MemberDefinition[]): Promise<void> {
    const wanted = new Map(defs.map((d) => [d.name, d]));
    const leaving = [...this.members].filter(([name]) => !wanted.has(name));
    for (const [name] of leaving) {
      this.members.delete(name);
      this.o.metrics.clusterReady.remove({ cluster: name });
      this.o.logger.info({ cluster: name }, `member cluster ${name} removed`);
      this.o.onChange(name, 'removed');
    }
    const added: Member[] = [];
    const changed: Member[] = [];
    const flipped: Member[] = [];
    for (const def of defs) {
      let existing = this.members.get(def.name);
      if (existing && existing.pull !== (def.pull ?? false)) {
        // Push to Pull or back: another API behind the cache (the member's, or the Works'), whose
        // resourceVersions mean nothing to the other, so the member starts afresh.
        this.members.delete(def.name);
        flipped.push(existing);
        existing = undefined;
      }
      if (existing) {
        existing.sourceReady = def.sourceReady;
        existing.sourceReason = def.sourceReason;
        this.noteCredentials(existing, def.credentialsWarning);
        if (existing.fingerprint !== def.fingerprint) {
          existing.client.swap(this.clientOf(def));
          existing.fingerprint = def.fingerprint;
          this.o.logger.info(
            { cluster: def.name, server: def.kubeConfig.getCurrentCluster()?.server },
            `member cluster ${def.name}: its endpoint or credentials changed; its watches reopen with them`,
          );
          changed.push(existing);
        }
        this.evaluate(existing);
        continue;
      }
      const client = new SwappableClient(this.clientOf(def));
      const member: Member = {
        name: def.name,
        client,
        cache: new MemberCache({
          client,
          logger: this.o.logger,
          metrics: this.o.metrics,
          onEvent: this.o.onEvent,
          onSynced: () => this.o.onChange(def.name, 'synced'),
          // A Pull member's ServiceExports cannot be read: its agent reports only into Works.
          mcsApi: (this.o.mcsApi ?? false) && !def.pull,
        }),
        // Not ready until a probe says otherwise; nothing is deleted meanwhile either way.
        ready: false,
        reason: 'not probed yet',
        sourceReady: def.sourceReady,
        sourceReason: def.sourceReason,
        probeFailures: 0,
        fingerprint: def.fingerprint,
        pull: def.pull ?? false,
      };
      this.noteCredentials(member, def.credentialsWarning);
      this.members.set(def.name, member);
      added.push(member);
      this.o.metrics.clusterReady.set({ cluster: def.name }, 0);
      this.o.logger.info(
        { cluster: def.name, server: def.kubeConfig.getCurrentCluster()?.server },
        `member cluster ${def.name} added`,
      );
      this.o.onChange(def.name, 'added');
    }
    // The caches retry on their own and never reject; their first lists are not waited for.
    for (const m of added) void m.cache.start();
    // Watches opened with the old credentials resume, from where they were, with the new ones.
    for (const m of changed) void m.cache.restart();
    await Promise.all([
      ...leaving.map(([, m]) => m.cache.stop()),
      ...flipped.map((m) => m.cache.stop()),
      ...[...added, ...changed].map((m) => this.probeOne(m)),
    ]);
  }

  private clientOf(def: MemberDefinition): KubeClient {
    return (
      this.o.clientFor?.(def) ??
      new ClusterClient(
        def.name,
        def.kubeConfig,
        this.o.metrics.apiRequests,
        this.o.gate,
        this.o.requestTimeoutMs,
      )
    );
  }

  /** Records and logs, once per change, that a member keeps credentials it could not read again. */
  private noteCredentials(m: Member, warning: string | undefined): void {
    if (warning === m.credentialsWarning) return;
    if (warning !== undefined)
      this.o.logger.warn({ cluster: m.name }, `member cluster ${m.name}: ${warning}`);
    else if (m.credentialsWarning !== undefined)
      this.o.logger.info({ cluster: m.name }, `member cluster ${m.name}: its credentials were read again`);
    m.credentialsWarning = warning;
  }

  /** Probes every member once (the controller calls this on an interval). */
  async probeAll(): Promise<void> {
    await Promise.all(this.list().map((m) => this.probeOne(m)));
  }

  /** Stops every member's caches. */
  async stop(): Promise<void> {
    await Promise.all(this.list().map((m) => m.cache.stop()));
  }

  private async probeOne(m: Member): Promise<void> {
    const ok = await this.probe(m.client).catch(() => false);
    if (this.members.get(m.name) !== m) return; // replaced meanwhile
    m.probeFailures = ok ? 0 : m.probeFailures + 1;
    this.evaluate(m);
  }

  private evaluate(m: Member): void {
    const threshold = this.o.failureThreshold ?? 2;
    const firstProbe = m.reachable === undefined;
    // Hysteresis: a reachable cluster needs `threshold` failed probes in a row to count as
    // unreachable (one lost probe is not an outage); an unreachable one, one success.
    if (m.probeFailures === 0) m.reachable = true;
    else if (firstProbe || m.probeFailures >= threshold) m.reachable = false;
    const ready = m.sourceReady && m.reachable === true;
    const previousReason = m.reason;
    m.reason = !m.sourceReady
      ? (m.sourceReason ?? 'the cluster source reports it not ready')
      : m.reachable
        ? undefined
        : `its API server did not answer /readyz (${m.probeFailures} times in a row)`;
    this.o.metrics.clusterReady.set({ cluster: m.name }, ready ? 1 : 0);
    if (!ready) m.notReadySince ??= this.o.now();
    if (ready === m.ready && !ready && !firstProbe && shape(m.reason) !== shape(previousReason)) {
      // Still not ready, for another cause (Karmada now says Ready, but the API server does not answer).
      this.o.logger.warn(
        { cluster: m.name, reason: m.reason },
        `member cluster ${m.name} is still not ready: ${m.reason}`,
      );
    }
    // A cluster that fails its very first probe was never ready, but still deserves a line.
    if (ready === m.ready && !(firstProbe && !ready)) return;
    m.ready = ready;
    if (ready) {
      m.notReadySince = undefined;
      this.o.logger.info({ cluster: m.name }, `member cluster ${m.name} is ready`);
      // After an outage the watches may hang on a dead connection: start them afresh.
      if (!firstProbe) void m.cache.restart();
      this.o.onChange(m.name, 'ready');
    } else {
      this.o.logger.warn(
        { cluster: m.name, reason: m.reason },
        `member cluster ${m.name} is not ready: ${m.reason}`,
      );
      this.o.onChange(m.name, 'not-ready');
    }
  }
}

/** A reason without its counts ("3 times in a row"), to tell a new cause from the same one again. */
function shape(reason: string | undefined): string | undefined {
  return reason?.replace(/\d+/g, 'N');
}
