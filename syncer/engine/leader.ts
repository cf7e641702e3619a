/**
 * Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does it:
 * a candidate takes the Lease when it is free or its holder has not renewed it for
 * `leaseDurationMs` as measured on the candidate's own clock (remote clocks are never
 * compared), and a leader that cannot renew within `renewDeadlineMs` steps down. Every
 * write carries the resourceVersion it read, so two candidates never both win.
 */
import { type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { Logger } from 'pino';

/** The Lease calls the elector makes; the client-node implementation is in kube/lease-client.ts. */
export interface LeaseClient {
  /** The Lease, or undefined when it does not exist. */
  get(): Promise<V1Lease | undefined>;
  /** Creates the Lease; rejects with a conflict when someone else created it first. */
  create(lease: V1Lease): Promise<V1Lease>;
  /** Replaces the Lease; rejects with a conflict when its resourceVersion is stale. */
  replace(lease: V1Lease): Promise<V1Lease>;
}

/** Timings of the election (client-go's defaults are 15 s / 10 s / 2 s). */
export interface LeaderTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** Options of a {@link LeaderElector}. */
export interface LeaderElectorOptions {
  client: LeaseClient;
  /** This candidate's identity (pod name + a random suffix). */
  identity: string;
  /** For messages: `namespace/name` of the Lease. */
  leaseRef: string;
  timings: LeaderTimings;
  logger: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  onStartedLeading: () => void;
  /** Called once when leadership is lost; the process should stop writing at once. */
  onStoppedLeading: () => void;
}

/** What a candidate decides after reading the Lease (pure). */
export type LeaseDecision = 'create' | 'acquire' | 'renew' | 'wait';

/** Decides what to do with the Lease as read, given when its record was last seen to change. */
export function decideLease(
  lease: V1Lease | undefined,
  identity: string,
  observedChangeAt: number,
  now: number,
  leaseDurationMs: number,
): LeaseDecision {
  if (!lease) return 'create';
  const holder = lease.spec?.holderIdentity ?? '';
  if (holder === identity) return 'renew';
  if (holder === '') return 'acquire'; // released by its last holder
  const duration = (lease.spec?.leaseDurationSeconds ?? leaseDurationMs / 1000) * 1000;
  return now - observedChangeAt > duration ? 'acquire' : 'wait';
}

/** A Lease-based leader elector. */
export class LeaderElector {
  private leading = false;
  private stopped = false;
  private observedRecord = '';
  private observedAt = 0;
  private lastRenew = 0;
  private current: V1Lease | undefined;

  constructor(private readonly o: LeaderElectorOptions) {}

  /** True while this candidate holds the Lease. */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Campaigns until stopped: acquires, then renews until it fails for renewDeadline. */
  async run(): Promise<void> {
    const { timings, now } = this.o;
    while (!this.stopped) {
      const ok = await this.tryAcquireOrRenew().catch((err: Error) => {
        this.o.logger.warn(
          { lease: this.o.leaseRef },
          `leader election: failed to update Lease: ${err.message}`,
        );
        return false;
      });
      if (ok) {
        this.lastRenew = now();
        if (!this.leading) {
          this.leading = true;
          this.o.logger.info({ lease: this.o.leaseRef, identity: this.o.identity }, 'became leader');
          this.o.onStartedLeading();
        }
      } else if (this.leading && now() - this.lastRenew > timings.renewDeadlineMs) {
        this.leading = false;
        this.o.logger.error({ lease: this.o.leaseRef }, 'lost leadership: could not renew the Lease in time');
        this.o.onStoppedLeading();
        return;
      }
      await this.o.sleep(timings.retryPeriodMs);
    }
  }

  /** Stops campaigning; a leader releases the Lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (!this.leading || !this.current?.spec) return;
    this.leading = false;
    const released: V1Lease = {
      ...this.current,
      spec: { ...this.current.spec, holderIdentity: '', leaseDurationSeconds: 1 },
    };
    await this.o.client.replace(released).catch((err: Error) => {
      this.o.logger.warn({ lease: this.o.leaseRef }, `could not release the Lease: ${err.message}`);
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { client, identity, now, timings } = this.o;
    const lease = await client.get();
    const record = JSON.stringify(lease?.spec ?? null);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now();
    }
    const decision = decideLease(lease, identity, this.observedAt, now(), timings.leaseDurationMs);
    if (decision === 'wait') return false;
    // Lease times are MicroTime: a plain Date would serialize with milliseconds only.
    const stamp = new V1MicroTime(now());
    const seconds = Math.ceil(timings.leaseDurationMs / 1000);
    if (decision === 'create') {
      this.current = await client.create({
        metadata: { name: this.o.leaseRef.split('/')[1] },
        spec: {
          holderIdentity: identity,
          leaseDurationSeconds: seconds,
          acquireTime: stamp,
          renewTime: stamp,
          leaseTransitions: 0,
        },
      });
      return true;
    }
    const spec = lease?.spec ?? {};
    const transitions = (spec.leaseTransitions ?? 0) + (decision === 'acquire' ? 1 : 0);
    this.current = await client.replace({
      ...lease,
      spec: {
        ...spec,
        holderIdentity: identity,
        leaseDurationSeconds: seconds,
        acquireTime: decision === 'acquire' ? stamp : spec.acquireTime,
        renewTime: stamp,
        leaseTransitions: transitions,
      },
    });
    this.observedRecord = JSON.stringify(this.current.spec ?? null);
    this.observedAt = now();
    return true;
  }
}
