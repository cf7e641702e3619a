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
