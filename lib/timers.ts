/**
 * Timers, passed in so tests can drive time (no module reads the clock or sets a timer on its
 * own where a decision depends on it).
 */

/** Sets and clears one-shot timers. */
export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** The real timers; they never keep the process alive on their own. */
export const realTimers: Timers = {
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * The two clocks of the syncer (docs/architecture.md § Bounds). Every deadline, validity,
 * grace period and wait is measured on `monotonic`, which an NTP step or a VM resumed from a
 * snapshot cannot move; `wall` only stamps what is written to the API (Lease times,
 * condition times), where other programs read it as a date.
 */
export interface Clocks {
  /** Milliseconds since an arbitrary origin, never stepping (`performance.now`). */
  monotonic: () => number;
  /** Milliseconds since the epoch (`Date.now`): for values written to the API only. */
  wall: () => number;
}

/** The real clocks. */
export const realClocks: Clocks = {
  monotonic: () => performance.now(),
  wall: () => Date.now(),
};
