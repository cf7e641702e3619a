/**
 * Leader election on a coordination.k8s.io Lease, as client-go's leaderelection does it, with
 * the fencing it leaves to its callers made part of it (docs/architecture.md § Leader election):
 * - a candidate takes the Lease when it is free or its holder has not renewed it for the lease
 *   duration, as measured on the candidate's own monotonic clock from when it saw the record
 *   change (remote clocks are never compared); every write carries the resourceVersion it read,
 *   so two candidates never both win;
 * - every Lease request is aborted at a deadline: the renew deadline when campaigning, and the
 *   end of the current leadership when renewing, so a request that hangs holds nothing up;
 * - leadership is valid until the renew deadline counted from the moment the last successful
 *   renewal was *sent* (the API server recorded it after that, so a standby cannot count its
 *   lease duration from any earlier instant). The write fence is opened until then, and a timer
 *   ends leadership then, whether or not a request is still hanging. renewDeadline <
 *   leaseDuration (by a margin, see config.ts) means a replica has stopped writing strictly
 *   before any standby may take over.
 *
 * Every one of these instants is on the monotonic clock, as client-go's are: a wall clock
 * stepped back would otherwise stretch a leadership past the moment a standby may lead. The
 * wall clock only stamps the Lease's acquireTime and renewTime, which other programs read.
 */
import { type V1Lease, V1MicroTime } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clocks, Timers } from '../../lib/timers.ts';
import type { LeaseClient } from '../kube/lease-client.ts';

/** Timings of the election (client-go's defaults are 15 s / 10 s / 2 s). */
export interface LeaderTimings {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

/** What the elector opens and closes: the gate in front of every write (kube/write-gate.ts). */
export interface LeaderFence {
  /** `deadline` is on the monotonic clock. */
  allowUntil(deadline: number): void;
  close(reason: string): void;
}

/** Options of a {@link LeaderElector}. */
export interface LeaderElectorOptions {
  client: LeaseClient;
  /** This candidate's identity (pod name + a random suffix). */
  identity: string;
  /** `namespace/name` of the Lease. */
  leaseRef: string;
  timings: LeaderTimings;
  logger: Logger;
  /** Monotonic for every deadline and validity; wall only for the Lease's times. */
  clocks: Clocks;
  timers: Timers;
  fence: LeaderFence;
  onStartedLeading: () => void;
  /** Called once when leadership is lost (the fence is closed already); the elector has stopped. */
  onStoppedLeading: (reason: string) => void;
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

/** Resolves never; rejects with the signal's reason once it fires. */
function whenAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** A Lease-based leader elector. */
export class LeaderElector {
  private leading = false;
  private stopped = false;
  private observedRecord = '';
  private observedAt = 0;
  private validUntil = 0;
  private current: V1Lease | undefined;
  private attempt: AbortController | undefined;
  private lossTimer: unknown;
  private wake: (() => void) | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: LeaderElectorOptions) {}

  /** True while this candidate holds the Lease and its leadership is still valid. */
  get isLeader(): boolean {
    return this.leading && this.o.clocks.monotonic() < this.validUntil;
  }

  /** Campaigns, then renews, until stopped or until leadership is lost. */
  run(): Promise<void> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Stops campaigning and renewing (the Lease stays held until {@link release} or its expiry). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.attempt?.abort(new Error('the elector is stopping'));
    this.wake?.();
    await this.running;
  }

  /**
   * Gives the Lease up so a standby takes over at once. Call it only once this replica writes
   * no more (the fence is closed): from then on another may lead. Bounded by what is left of
   * this leadership; after that the Lease is free by expiry anyway.
   */
  async release(): Promise<void> {
    this.o.timers.clearTimeout(this.lossTimer);
    const left = this.validUntil - this.o.clocks.monotonic();
    const held = this.leading && this.current?.spec;
    this.leading = false;
    if (!held || !this.current?.spec || left <= 0) return;
    const stamp = new V1MicroTime(this.o.clocks.wall());
    const released: V1Lease = {
      ...this.current,
      spec: {
        ...this.current.spec,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: stamp,
        renewTime: stamp,
      },
    };
    try {
      await this.bounded(left, (signal) => this.o.client.replace(released, signal));
      this.o.logger.info({ lease: this.o.leaseRef }, 'released the Lease');
    } catch (err) {
      this.o.logger.warn(
        { lease: this.o.leaseRef },
        `could not release the Lease ${this.o.leaseRef} (a standby takes over when it expires): ${(err as Error).message}`,
      );
    }
  }

  private async loop(): Promise<void> {
    const { timings, logger, leaseRef } = this.o;
    const now = this.o.clocks.monotonic;
    while (!this.stopped) {
      const started = now();
      const bound = this.leading ? this.validUntil - started : timings.renewDeadlineMs;
      let ok = false;
      if (bound > 0) {
        try {
          ok = await this.bounded(bound, (signal) => this.tryAcquireOrRenew(signal));
        } catch (err) {
          if (!this.stopped)
            logger.warn(
              { lease: leaseRef },
              `leader election: failed to ${this.leading ? 'renew' : 'acquire'} Lease ${leaseRef}: ${(err as Error).message}`,
            );
        }
      }
      if (this.stopped) break;
      if (ok) this.renewed(started);
      else if (this.leading && now() >= this.validUntil) this.lose();
      if (this.stopped) break;
      await this.sleep(timings.retryPeriodMs);
    }
  }

  /** Runs `call` with a signal that fires after `ms`; gives up at that moment even if `call` ignores it. */
  private async bounded<T>(ms: number, call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.attempt = controller;
    const timer = this.o.timers.setTimeout(
      () => controller.abort(new Error(`no answer within ${ms} ms`)),
      ms,
    );
    try {
      return await Promise.race([call(controller.signal), whenAborted(controller.signal)]);
    } finally {
      this.o.timers.clearTimeout(timer);
      if (this.attempt === controller) this.attempt = undefined;
    }
  }

  /** A renewal (or acquisition) sent at `sentAt` succeeded. */
  private renewed(sentAt: number): void {
    const { timings, fence, logger, leaseRef, identity } = this.o;
    this.validUntil = sentAt + timings.renewDeadlineMs;
    fence.allowUntil(this.validUntil);
    this.armLoss();
    if (this.leading) return;
    this.leading = true;
    logger.info({ lease: leaseRef, identity }, 'became leader');
    this.o.onStartedLeading();
  }

  /** Sets the timer that ends leadership at the end of its validity. */
  private armLoss(): void {
    const { timers, clocks } = this.o;
    timers.clearTimeout(this.lossTimer);
    this.lossTimer = timers.setTimeout(() => this.lose(), Math.max(0, this.validUntil - clocks.monotonic()));
  }

  /**
   * Ends leadership once its validity has run out. A renewal that came in time moved the
   * validity on and re-armed the timer; a timer that fires before the end (timers are not
   * exact) is armed again for what is left, so leadership always ends.
   */
  private lose(): void {
    const { clocks, timings, fence, logger, leaseRef } = this.o;
    if (!this.leading) return;
    if (clocks.monotonic() < this.validUntil) {
      this.armLoss();
      return;
    }
    this.leading = false;
    this.stopped = true;
    const reason = `could not renew Lease ${leaseRef} within --renew-deadline (${timings.renewDeadlineMs / 1000} s)`;
    fence.close(`lost leadership: ${reason}`);
    this.attempt?.abort(new Error('leadership lost'));
    this.wake?.();
    logger.error({ lease: leaseRef }, `lost leadership: ${reason}; every write has been stopped`);
    this.o.onStoppedLeading(reason);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.o.timers.setTimeout(() => {
        this.wake = undefined;
        resolve();
      }, ms);
      this.wake = () => {
        this.o.timers.clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async tryAcquireOrRenew(signal: AbortSignal): Promise<boolean> {
    const { client, identity, timings, clocks } = this.o;
    const now = clocks.monotonic;
    const lease = await client.get(signal);
    // A client that ignored the abort must not write after the elector gave up on it.
    signal.throwIfAborted();
    const record = JSON.stringify(lease?.spec ?? null);
    if (record !== this.observedRecord) {
      this.observedRecord = record;
      this.observedAt = now();
    }
    const decision = decideLease(lease, identity, this.observedAt, now(), timings.leaseDurationMs);
    if (decision === 'wait') return false;
    // Lease times are MicroTime: a plain Date would serialize with milliseconds only.
    const stamp = new V1MicroTime(clocks.wall());
    const seconds = Math.ceil(timings.leaseDurationMs / 1000);
    if (decision === 'create') {
      this.current = await client.create(
        {
          metadata: { name: this.o.leaseRef.split('/')[1] },
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: seconds,
            acquireTime: stamp,
            renewTime: stamp,
            leaseTransitions: 0,
          },
        },
        signal,
      );
    } else {
      const spec = lease?.spec ?? {};
      const transitions = (spec.leaseTransitions ?? 0) + (decision === 'acquire' ? 1 : 0);
      this.current = await client.replace(
        {
          ...lease,
          spec: {
            ...spec,
            holderIdentity: identity,
            leaseDurationSeconds: seconds,
            acquireTime: decision === 'acquire' ? stamp : spec.acquireTime,
            renewTime: stamp,
            leaseTransitions: transitions,
          },
        },
        signal,
      );
    }
    this.observedRecord = JSON.stringify(this.current.spec ?? null);
    this.observedAt = now();
    return true;
  }
}
