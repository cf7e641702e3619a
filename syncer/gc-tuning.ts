/**
 * How far V8 lets the syncer's heap grow past what is live before it collects.
 *
 * V8 sets the next old-generation limit to the live size times a growing factor. On a machine
 * with a large heap limit (over 2 GB: any host with 16 GB or more, the default when no
 * `--max-old-space-size` is given) the factor goes up to 4. A syncer converging 5,000 MCS from
 * cold allocates several MB a second of request, response and watch objects that live for a
 * round trip to a saturated API server, so they are promoted; with a live heap of 100–150 MB
 * the old generation grew to 450–500 MB of mostly garbage before each full collection, and the
 * resident set followed it to 638–657 MB (make bench and a probe, 2026-11-30). At 5,000 MCS, a
 * factor of 1.5 brought the peak to 355 MB and one of 1.25 (with the compact slice class of
 * kube/compact.ts) to what docs/performance.md shows; converging took no longer, since fewer
 * pages are touched. More (concurrent) full collections are the cost.
 */

/**
 * The Node flags in the first line of syncer/main.ts (`#!/usr/bin/env -S node …`), which
 * whoever runs `mcs-bridge-syncer` (the image, the chart's `command`, the test sandbox) starts
 * Node with. V8 sizes the young generation when the isolate is made, before any JavaScript
 * runs, so this one cannot be set by `v8.setFlagsFromString`. Its default on 64-bit hosts lets
 * each of the two semi-spaces grow to 16 MB; with the syncer's allocation rate while saturated
 * they stayed at that size, 32 MB of pages resident for objects that live one round trip. At
 * 4 MB the same 5,000-MCS probe peaked at 275 MB instead of 324 MB and converged no slower
 * (377.6 s against 445.4 s; more scavenges, each shorter). An operator who wants another size
 * runs `node --max-semi-space-size=N …/syncer/main.js`: one in NODE_OPTIONS loses to the `#!`
 * line's, since Node lets its command line win over NODE_OPTIONS.
 */
export const STARTUP_NODE_FLAGS = ['--max-semi-space-size=4'] as const;

/** The heap may grow to (1 + this/100) × the live size before a full collection. */
export const HEAP_GROWING_PERCENT = 25;

const OWN_FLAG = /^--(?:heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size|max[-_]heap[-_]size)(?:=|$)/;

/**
 * The V8 flags to set when the syncer starts: none when whoever started Node chose how the heap
 * grows or how big it may get (a `--heap-growing-percent`, `--max-old-space-size` or
 * `--max-heap-size` in Node's own arguments or in NODE_OPTIONS); theirs wins. Pure.
 */
export function gcFlags(execArgv: readonly string[], nodeOptions: string | undefined): string[] {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)];
  if (given.some((a) => OWN_FLAG.test(a))) return [];
  return [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`];
}
