/**
 * Requests that must be aborted when a long-lived signal fires (the write gate's, which lives as
 * long as the process), without a listener per request on that signal. One listener per
 * long-lived signal fans its abort out to the requests in flight; each request leaves the set
 * when it ends. A listener per request (or an `AbortSignal.any` over the long-lived signal per
 * request) piles up on it while requests are in flight: more than ten at once printed
 * `MaxListenersExceededWarning: 11 abort listeners added to [AbortSignal]` under 429s.
 */

/** The requests in flight under one long-lived signal. */
class Fanout {
  readonly inFlight = new Set<AbortController>();

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener(
      'abort',
      () => {
        for (const c of this.inFlight) c.abort(signal.reason);
        this.inFlight.clear();
      },
      { once: true },
    );
  }

  link(): { signal: AbortSignal; release: () => void } {
    const controller = new AbortController();
    if (this.signal.aborted) controller.abort(this.signal.reason);
    else this.inFlight.add(controller);
    return { signal: controller.signal, release: () => this.inFlight.delete(controller) };
  }
}

const fanouts = new WeakMap<AbortSignal, Fanout>();

/**
 * A signal for one request that fires when `longLived` does; call `release` when the request
 * has ended (in a `finally`), so nothing of it stays behind.
 */
export function linkToLongLived(longLived: AbortSignal): { signal: AbortSignal; release: () => void } {
  let fanout = fanouts.get(longLived);
  if (!fanout) {
    fanout = new Fanout(longLived);
    fanouts.set(longLived, fanout);
  }
  return fanout.link();
}

/** Requests in flight linked to `longLived` (for tests and metrics). */
export function linkedInFlight(longLived: AbortSignal): number {
  return fanouts.get(longLived)?.inFlight.size ?? 0;
}
