/**
 * The fence in front of every write the syncer makes, to members and to the hub. With leader
 * election, writes pass only while this replica's leadership is known to be valid: the elector
 * opens the gate until the renew deadline of its last successful renewal, which comes strictly
 * before any standby may take over (docs/architecture.md § Leader election). The check runs
 * as each request is sent, so a timer that fires late in a busy process lets nothing through;
 * and closing the gate aborts the writes still in flight.
 */

/** Thrown by {@link WriteGate.check} when writes are not allowed; never an API error. */
export class WritesFencedError extends Error {
  override readonly name = 'WritesFencedError';
}

/** Whether writes may be sent now, and a signal that aborts them when they may not any more. */
export class WriteGate {
  private until: number;
  private closedBecause: string | undefined;
  private readonly controller = new AbortController();

  /** `open`: writes pass until told otherwise (no leader election); else none until {@link allowUntil}. */
  constructor(
    private readonly now: () => number,
    open: boolean,
  ) {
    this.until = open ? Number.POSITIVE_INFINITY : 0;
  }

  /** Lets writes through until `deadline` (epoch ms, on `now`'s clock), unless closed for good. */
  allowUntil(deadline: number): void {
    if (this.closedBecause === undefined) this.until = deadline;
  }

  /** Closes the gate for good and aborts every write in flight. */
  close(reason: string): void {
    if (this.closedBecause !== undefined) return;
    this.closedBecause = reason;
    this.until = 0;
    this.controller.abort(new WritesFencedError(`writes stopped: ${reason}`));
  }

  /** True while a write may be sent. */
  get open(): boolean {
    return this.closedBecause === undefined && this.now() < this.until;
  }

  /** Throws {@link WritesFencedError} naming `what` unless a write may be sent now. */
  check(what: string): void {
    if (this.open) return;
    const why = this.closedBecause ?? 'this replica does not hold a valid leader Lease';
    throw new WritesFencedError(`${what} not sent: ${why}`);
  }

  /** Fires when the gate closes for good. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }
}
