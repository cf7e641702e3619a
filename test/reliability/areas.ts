/**
 * The sections of docs/reliability.md's table, in the order it lists them. Apart from
 * ./case.ts because that module registers a node:test hook when imported, which the scripts that
 * render the table must not do.
 */
export const RELIABILITY_AREAS = ['Faults', 'Bad input', 'Security', 'Migration'] as const;
/** One of {@link RELIABILITY_AREAS}. */
export type ReliabilityArea = (typeof RELIABILITY_AREAS)[number];

/** What a tag says about its test; the result comes from the test run. */
export interface ReliabilityTag {
  area: ReliabilityArea;
  /** The fault or input, short: `Hub API server stopped for 30 s`. */
  case: string;
  /** What was checked; the test's name (a sentence) when not given. */
  checked?: string;
  /** Figures the test measured, shown with its result (set it before the test ends). */
  figures?: string;
}
