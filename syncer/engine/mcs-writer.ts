/**
 * Writes on the MultiClusterService itself: its status conditions, its finalizer, and
 * Events about it. Events are writes too, so they are kept to what a user needs:
 * - events that describe a state (ClusterNotFound, ClusterNotReady…) are recorded only when
 *   the status changes, so a restart or a resync at steady state records nothing;
 * - success events report writes just made: at most one per MCS and reason every
 *   `repeatAfterMs`, so churn of endpoints does not double the writes;
 * - failure events: at most once per message every `repeatAfterMs`.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { describeApiError } from '../../lib/kube-errors.ts';
import {
  MCS_API_VERSION,
  MCS_GROUP,
  MCS_KIND,
  MCS_PLURAL,
  MCS_VERSION,
  type McsCondition,
  type MultiClusterService,
} from '../api/types.ts';
import type { ClusterClient } from '../kube/cluster-client.ts';
import { FINALIZER_CLEANUP } from '../names.ts';
import type { McsEvent } from '../plan/types.ts';

/** The reporting component of our Events. */
export const EVENT_SOURCE = 'mcs-bridge-syncer';

const FAILURE_REASONS = new Set(['SyncServiceFailed', 'DispatchEndpointSliceFailed']);
const SUCCESS_REASONS = new Set(['SyncServiceSucceed', 'DispatchEndpointSliceSucceed']);

/** Status, finalizer and event writes on MCS objects in the hub. */
export class McsWriter {
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly hub: ClusterClient,
    private readonly logger: Logger,
    private readonly now: () => number,
    /** This replica's name, for Events' reportingInstance. */
    private readonly instance: string,
    private readonly repeatAfterMs = 10 * 60_000,
  ) {}

  /** Replaces `status.conditions` (a merge patch on the status subresource). */
  async writeConditions(mcs: MultiClusterService, conditions: McsCondition[]): Promise<void> {
    const { namespace, name } = ref(mcs);
    await this.hub.call('patch', () =>
      this.hub.custom.patchNamespacedCustomObjectStatus(
        {
          group: MCS_GROUP,
          version: MCS_VERSION,
          plural: MCS_PLURAL,
          namespace,
          name,
          body: { status: { conditions } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  /**
   * Adds or removes the cleanup finalizer, guarded by the resourceVersion read, so a
   * concurrent change of the finalizer list is never lost.
   */
  async setFinalizer(mcs: MultiClusterService, present: boolean): Promise<void> {
    const { namespace, name } = ref(mcs);
    const current = mcs.metadata?.finalizers ?? [];
    const finalizers = present
      ? [...current.filter((f) => f !== FINALIZER_CLEANUP), FINALIZER_CLEANUP]
      : current.filter((f) => f !== FINALIZER_CLEANUP);
    const body = { metadata: { finalizers, resourceVersion: mcs.metadata?.resourceVersion } };
    await this.hub.call('patch', () =>
      this.hub.custom.patchNamespacedCustomObject(
        { group: MCS_GROUP, version: MCS_VERSION, plural: MCS_PLURAL, namespace, name, body },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
  }

  /**
   * Records events on the MCS. `statusChanged` says whether this reconcile changed the
   * status: state events are recorded only then. Failures to record are logged, never thrown.
   */
  async record(mcs: MultiClusterService, events: readonly McsEvent[], statusChanged: boolean): Promise<void> {
    const now = this.now();
    for (const [k, t] of this.recent) if (now - t > this.repeatAfterMs) this.recent.delete(k);
    for (const e of events) {
      const failure = FAILURE_REASONS.has(e.reason);
      const success = SUCCESS_REASONS.has(e.reason);
      if (!failure && !success && !statusChanged) continue;
      const key = success
        ? `${mcs.metadata?.uid}/${e.reason}`
        : `${mcs.metadata?.uid}/${e.reason}/${e.message}`;
      if (this.recent.has(key)) continue;
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
    const at = new Date(this.now());
    await this.hub.call('create', () =>
      this.hub.core.createNamespacedEvent({
        namespace,
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
      }),
    );
  }
}

function ref(mcs: MultiClusterService): { namespace: string; name: string } {
  return { namespace: mcs.metadata?.namespace ?? '', name: mcs.metadata?.name ?? '' };
}
