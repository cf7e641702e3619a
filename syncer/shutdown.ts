/**
 * The order the syncer stops in, on SIGTERM or SIGINT. A leader must not hand its Lease over
 * while a write of its own may still land: first the workers stop taking keys and the write
 * chains left running in the background (write-lanes.ts) are waited for, for at most
 * `drainMs`; then campaigning stops and the write fence closes, aborting whatever is still in
 * flight; only then is the Lease released, so the standby that takes it over writes alone.
 */
import type { Logger } from 'pino';
import type { Timers } from '../lib/timers.ts';

/** What is stopped, in the order listed. */
export interface ShutdownSteps {
  /** Stops the workers after their current key and waits for background writes to end. */
  drainWrites(): Promise<void>;
  /** Stops campaigning for and renewing the Lease (without releasing it). */
  stopElection(): Promise<void>;
  /** Closes the write fence for good: writes in flight are aborted, none is sent after. */
  fenceWrites(reason: string): void;
  /** Releases the Lease, if this replica holds it. */
  releaseLease(): Promise<void>;
  /** Stops the caches and the health server. */
  stopTheRest(): Promise<void>;
}

/** Runs the steps in order; the drain waits `drainMs` at most. */
export async function shutDown(
  steps: ShutdownSteps,
  o: { logger: Logger; timers: Timers; drainMs: number },
): Promise<void> {
  let timer: unknown;
  const drained = await Promise.race([
    steps.drainWrites().then(() => true),
    new Promise<false>((resolve) => {
      timer = o.timers.setTimeout(() => resolve(false), o.drainMs);
    }),
  ]);
  o.timers.clearTimeout(timer);
  if (!drained)
    o.logger.warn(`writes still in flight after ${o.drainMs / 1000} s of shutting down: aborting them`);
  await steps.stopElection();
  steps.fenceWrites('the syncer is shutting down');
  await steps.releaseLease();
  await steps.stopTheRest();
}
