/**
 * The fence in front of every write the syncer makes, to members and to the hub. With leader
 * election, writes pass only while this replica's leadership is known to be valid: the elector
 * opens the gate until the renew deadline of its last successful renewal, which comes strictly
 * before any standby may take over (docs/architecture.md § Leader election). Both the deadline
 * and the check are on the monotonic clock, so a wall clock stepped back (NTP, a VM resumed from
 * a snapshot) cannot stretch a leadership past the moment a standby may lead.
 *
 * The gate closes at that deadline by itself: the check runs as each request is sent, so a
 * timer that fires late in a busy process lets nothing new through; and its own timer aborts,
 * at the deadline, the writes still in flight, whatever the elector does. A renewal that comes
 * in time moves the deadline on and the writes in flight go on. {@link WriteGate.close} closes
 * it for good.
 */
import type { Timers } from '../../lib/timers.ts';

/** Thrown by {@link WriteGate.check} when writes are not allowed; never an API error. */
export class WritesFencedError extends Error {
  override readonly name = 'WritesFencedError';
}

/** Whether writes may be sent now, and a signal that aborts them when they may not any more. */
export class WriteGate {
  private until: number;
  private closedBecause: string | undefined;
  private controller = new AbortController();
  private timer: unknown;

  /**
   * `open`: writes pass until told otherwise (no leader election); else none until
   * {@link allowUntil}. `monotonic` is the clock deadlines are on; `timers` fire at them.
   */
  constructor(
    private readonly monotonic: () => number,
    open: boolean,
    private readonly timers: Timers,
  ) {
    this.until = open ? Number.POSITIVE_INFINITY : 0;
  }

  /**
   * Lets writes through until `deadline` (on the monotonic clock), unless closed for good; at
   * the deadline, writes still in flight are aborted unless it was moved on meanwhile.
   */
  allowUntil(deadline: number): void {
    if (this.closedBecause !== undefined) return;
    this.until = deadline;
    this.arm();
  }

  /** Closes the gate for good and aborts every write in flight. */
  close(reason: string): void {
    if (this.closedBecause !== undefined) return;
    this.closedBecause = reason;
    this.until = 0;
    this.timers.clearTimeout(this.timer);
    this.controller.abort(new WritesFencedError(`writes stopped: ${reason}`));
  }

  /** True while a write may be sent. */
  get open(): boolean {
    return this.closedBecause === undefined && this.monotonic() < this.until;
  }

  /** Throws {@link WritesFencedError} naming `what` unless a write may be sent now. */
  check(what: string): void {
    if (this.open) return;
    const why = this.closedBecause ?? 'this replica does not hold a valid leader Lease';
    throw new WritesFencedError(`${what} not sent: ${why}`);
  }

  /**
   * Aborts the writes sent before it fires: at the end of the current validity, or when the
   * gate closes for good. Take it as each write is sent.
   */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private arm(): void {
    this.timers.clearTimeout(this.timer);
    const left = this.until - this.monotonic();
    if (left > 0) {
      this.timer = this.timers.setTimeout(() => this.arm(), left);
      return;
    }
    // The validity ran out without a renewal: what is in flight was sent under it, and stops.
    // Later writes get a fresh signal, for a leadership that may be renewed after all.
    const expired = this.controller;
    this.controller = new AbortController();
    expired.abort(new WritesFencedError('writes stopped: the leader Lease was not renewed in time'));
  }
}
