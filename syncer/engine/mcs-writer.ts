/**
 * Writes on the MultiClusterService itself: its status conditions, its finalizer, and
 * Events about it. Events are writes too, so they are kept to what a user needs:
 * - events that describe a state (ClusterNotFound, ClusterNotReady…) are recorded only when
 *   the status changes, so a restart or a resync at steady state records nothing;
 * - success events report writes just made: at most one per MCS and reason every
 *   `repeatAfterMs`, so churn of endpoints does not double the writes, and at most
 *   `successEventsPerSecond` overall (burst 50), as client-go's event spam filter does, so
 *   a cold start with thousands of MCS spends the API server on the objects, not on news;
 * - failure events: at most once per message every `repeatAfterMs`.
 */
import type { Logger } from 'pino';
import { TokenBucket } from '../../lib/backoff.ts';
import { describeApiError, httpCode } from '../../lib/kube-errors.ts';
import type { Clocks } from '../../lib/timers.ts';
import {
  MCS_API_VERSION,
  MCS_GROUP,
  MCS_KIND,
  MCS_PLURAL,
  MCS_VERSION,
  type McsCondition,
  type MultiClusterService,
} from '../api/types.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import { FINALIZER_CLEANUP } from '../names.ts';
import { rebaseConditions, SERVED_CONDITION_TYPES } from '../plan/conditions.ts';
import type { McsEvent } from '../plan/types.ts';

/** The reporting component of our Events. */
export const EVENT_SOURCE = 'mcs-bridge-syncer';

const FAILURE_REASONS = new Set(['SyncServiceFailed', 'DispatchEndpointSliceFailed']);
const SUCCESS_REASONS = new Set(['SyncServiceSucceed', 'DispatchEndpointSliceSucceed']);
const SUCCESS_BURST = 50;

/** Status, finalizer and event writes on MCS objects in the hub. */
export class McsWriter {
  private readonly recent = new Map<string, number>();
  private readonly successTokens: TokenBucket;

  constructor(
    private readonly hub: KubeClient,
    private readonly logger: Logger,
    /**
     * `monotonic` times the repeat window and the success-event budget, so a stepped wall clock
     * neither floods nor silences Events; `wall` only stamps the Events written.
     */
    private readonly clocks: Clocks,
    /** This replica's name, for Events' reportingInstance. */
    private readonly instance: string,
    private readonly repeatAfterMs = 10 * 60_000,
    successEventsPerSecond = 5,
  ) {
    this.successTokens = new TokenBucket(successEventsPerSecond, SUCCESS_BURST, clocks.monotonic());
  }

  /** Takes a token for a success event, if one is left. */
  private takeSuccessToken(): boolean {
    return this.successTokens.tryTake(this.clocks.monotonic());
  }

  /**
   * Writes `status.conditions` (a merge patch on the status subresource) guarded by the
   * resourceVersion `mcs` was read at, so a condition someone else wrote since (Karmada's,
   * another replica's during a hand-over) is never overwritten. On a conflict our `owned`
   * types are put onto the server's list as it is now (see rebaseConditions) and written from
   * its version, a few times at most; nothing is written when the server already holds them.
   * Resolves with the new resourceVersion, or undefined when nothing was written.
   */
  async writeConditions(
    mcs: MultiClusterService,
    conditions: McsCondition[],
    owned: readonly string[] = SERVED_CONDITION_TYPES,
  ): Promise<string | undefined> {
    let version = mcs.metadata?.resourceVersion;
    let body = conditions;
    for (let attempt = 1; ; attempt++) {
      try {
        return versionOf(
          await this.hub.write('patch', {
            method: 'PATCH',
            path: `${mcsPath(mcs)}/status`,
            contentType: MERGE_PATCH,
            body: { metadata: { resourceVersion: version }, status: { conditions: body } },
          }),
        );
      } catch (err) {
        if (httpCode(err) !== 409 || attempt >= CONFLICT_ATTEMPTS) throw err;
      }
      const server = await this.hub.request<MultiClusterService>('get', {
        method: 'GET',
        path: mcsPath(mcs),
      });
      const rebased = rebaseConditions(server.status?.conditions, conditions, owned);
      if (!rebased.changed) return undefined;
      version = server.metadata?.resourceVersion;
      body = rebased.conditions;
    }
  }

  /**
   * Adds or removes the cleanup finalizer, guarded by the resourceVersion read, so a
   * concurrent change of the finalizer list is never lost. Resolves with the new resourceVersion.
   */
  async setFinalizer(mcs: MultiClusterService, present: boolean): Promise<string | undefined> {
    const current = mcs.metadata?.finalizers ?? [];
    const finalizers = present
      ? [...current.filter((f) => f !== FINALIZER_CLEANUP), FINALIZER_CLEANUP]
      : current.filter((f) => f !== FINALIZER_CLEANUP);
    return versionOf(
      await this.hub.write('patch', {
        method: 'PATCH',
        path: mcsPath(mcs),
        contentType: MERGE_PATCH,
        body: { metadata: { finalizers, resourceVersion: mcs.metadata?.resourceVersion } },
      }),
    );
  }

  /**
   * Records events on the MCS. `statusChanged` says whether this reconcile changed the
   * status: state events are recorded only then. Failures to record are logged, never thrown.
   */
  async record(mcs: MultiClusterService, events: readonly McsEvent[], statusChanged: boolean): Promise<void> {
    const now = this.clocks.monotonic();
    for (const [k, t] of this.recent) if (now - t > this.repeatAfterMs) this.recent.delete(k);
    for (const e of events) {
      const failure = FAILURE_REASONS.has(e.reason);
      const success = SUCCESS_REASONS.has(e.reason);
      if (!failure && !success && !statusChanged) continue;
      const key = success
        ? `${mcs.metadata?.uid}/${e.reason}`
        : `${mcs.metadata?.uid}/${e.reason}/${e.message}`;
      if (this.recent.has(key)) continue;
      if (success && !this.takeSuccessToken()) continue;
      this.recent.set(key, now);
      await this.create(mcs, e).catch((err) =>
        this.logger.warn(
          { mcs: `${ref(mcs).namespace}/${ref(mcs).name}`, reason: e.reason },
          `failed to record event ${e.reason} on MultiClusterService ${ref(mcs).namespace}/${ref(mcs).name}: ${describeApiError(err)}`,
        ),
      );
    }
  }

  private async create(mcs: MultiClusterService, e: McsEvent): Promise<void> {
    const { namespace, name } = ref(mcs);
    const at = new Date(this.clocks.wall()).toISOString();
    await this.hub.write('create', {
      method: 'POST',
      path: `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`,
      body: {
        metadata: { generateName: `${name}.`, namespace },
        involvedObject: {
          apiVersion: MCS_API_VERSION,
          kind: MCS_KIND,
          name,
          namespace,
          uid: mcs.metadata?.uid,
          resourceVersion: mcs.metadata?.resourceVersion,
        },
        type: e.type,
        reason: e.reason,
        message: e.message.slice(0, 1024),
        source: { component: EVENT_SOURCE },
        reportingComponent: EVENT_SOURCE,
        reportingInstance: this.instance,
        firstTimestamp: at,
        lastTimestamp: at,
        count: 1,
      },
    });
  }
}

const MERGE_PATCH = 'application/merge-patch+json';
/** Writes of the conditions per call: the first, and retries from the server's copy after a conflict. */
const CONFLICT_ATTEMPTS = 3;

function versionOf(o: unknown): string | undefined {
  return (o as { metadata?: { resourceVersion?: string } } | undefined)?.metadata?.resourceVersion;
}

function mcsPath(mcs: MultiClusterService): string {
  const { namespace, name } = ref(mcs);
  return `/apis/${MCS_GROUP}/${MCS_VERSION}/namespaces/${encodeURIComponent(namespace)}/${MCS_PLURAL}/${encodeURIComponent(name)}`;
}

function ref(mcs: MultiClusterService): { namespace: string; name: string } {
  return { namespace: mcs.metadata?.namespace ?? '', name: mcs.metadata?.name ?? '' };
}
