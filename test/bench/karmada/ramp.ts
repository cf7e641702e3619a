/**
 * Sustained throughput: changes are offered at rising rates, a step at a time, until the
 * latency of the copies grows without bound (p99 past a limit, or changes lost). Pure: the
 * decisions on the figures of each step.
 */

/** What one step of the ramp measured. */
export interface RampStep {
  /** Source slice changes a second the step asked for. */
  offeredPerSecond: number;
  /** Source slice changes a second the provider's API server acknowledged. */
  achievedPerSecond: number;
  /** Changes whose copy arrived, arrived after a later change (coalesced), or never arrived. */
  arrived: number;
  coalesced: number;
  lost: number;
  p50Ms: number;
  p99Ms: number;
}

/** How a step ended. */
export type StepOutcome = 'carried' | 'saturated' | 'generator-limited';

/** The bounds a step is judged by. */
export interface RampLimits {
  /** A p99 above this means the backlog grows: the contender no longer keeps up. */
  p99Ms: number;
  /** A share of lost changes above this means the same. */
  lostShare: number;
  /** The load generator's own limit: a step that achieved less than this share of its rate measured the generator. */
  achievedShare: number;
}

export const DEFAULT_LIMITS: RampLimits = { p99Ms: 1000, lostShare: 0.01, achievedShare: 0.9 };

/** Judges one step. Saturation comes first: a step that both saturated and fell short of its rate still saturated. */
export function stepOutcome(step: RampStep, limits: RampLimits = DEFAULT_LIMITS): StepOutcome {
  const made = step.arrived + step.coalesced + step.lost;
  if (step.arrived === 0 || step.p99Ms > limits.p99Ms || step.lost > limits.lostShare * made)
    return 'saturated';
  if (step.achievedPerSecond < limits.achievedShare * step.offeredPerSecond) return 'generator-limited';
  return 'carried';
}

/** The rates of the ramp: `start`, then ×`factor` each step, up to `max` included. */
export function rampRates(start: number, factor: number, max: number): number[] {
  if (!(start > 0) || !(factor > 1) || !(max >= start))
    throw new Error(`a ramp needs start > 0, factor > 1 and max ≥ start (got ${start}, ${factor}, ${max})`);
  const rates: number[] = [];
  for (let r = start; r <= max * 1.0001; r *= factor) rates.push(Math.round(r * 100) / 100);
  return rates;
}

/** What the ramp found: the highest rate carried, and what stopped it. */
export interface Sustained {
  /** The achieved rate of the fastest step carried; 0 when even the first step saturated. */
  changesPerSecond: number;
  /** `saturated`: the next step's latency grew without bound; `generator`: the load generator could offer no more; `ramp-end`: every step was carried. */
  limitedBy: 'saturated' | 'generator' | 'ramp-end';
}

/** Reads the ramp's steps in order; the ramp stops at the first step not carried. */
export function sustained(steps: readonly RampStep[], limits: RampLimits = DEFAULT_LIMITS): Sustained {
  let best = 0;
  for (const step of steps) {
    const outcome = stepOutcome(step, limits);
    if (outcome === 'saturated') return { changesPerSecond: best, limitedBy: 'saturated' };
    best = Math.max(best, step.achievedPerSecond);
    if (outcome === 'generator-limited') return { changesPerSecond: best, limitedBy: 'generator' };
  }
  return { changesPerSecond: best, limitedBy: 'ramp-end' };
}

/** True when the ramp should go on after this step. */
export function keepRamping(step: RampStep, limits: RampLimits = DEFAULT_LIMITS): boolean {
  return stepOutcome(step, limits) === 'carried';
}
