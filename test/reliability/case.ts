/**
 * The tag that puts a test in docs/reliability.md's table. Call {@link reliabilityCase} as the
 * first line of a test's body; that is the whole opt-in:
 *
 * ```ts
 * import { reliabilityCase } from '../reliability/case.ts';
 *
 * it('keeps the copies while member1 is down, and converges when it returns', async () => {
 *   reliabilityCase('Faults', 'Member API server stopped');
 *   // … the test as it was
 * });
 * ```
 *
 * How it travels: an afterEach hook, registered once on the root test when this module is first
 * imported, hands the tag of the test that just ran to node:test as a diagnostic
 * (`t.diagnostic`). The reporter of `make test-unit` and `make test-e2e` (./reporter.mjs) reads
 * those diagnostics with the result of their test, whether it passed or failed; ./record.ts then
 * saves them in .results/reliability/, and `make reliability-report` renders docs/reliability.md.
 */
import { afterEach } from 'node:test';
import type { ReliabilityArea, ReliabilityTag } from './areas.ts';

export type { ReliabilityArea, ReliabilityTag } from './areas.ts';

/** Marks the diagnostic that carries a tag from a test file to the reporter. */
export const TAG_DIAGNOSTIC_PREFIX = 'reliability-case ';

let pending: ReliabilityTag | undefined;

/**
 * Tags the running test as a case of the Reliability table, and returns the tag so the test can
 * add the figures it measured. Call it first in the test body (a test that fails before it is
 * shown as not reached), in a test without subtests. Tagged tests of one file must not run
 * concurrently (node:test's default): a second tag before the first was handed on throws.
 */
export function reliabilityCase(area: ReliabilityArea, name: string, checked?: string): ReliabilityTag {
  if (pending) {
    throw new Error(
      `reliabilityCase("${name}") while "${pending.case}" is still running: tagged tests of one file must run one at a time`,
    );
  }
  const tag: ReliabilityTag = { area, case: name, ...(checked ? { checked } : {}) };
  pending = tag;
  return tag;
}

afterEach((t) => {
  const tag = pending;
  pending = undefined;
  // A suite's context has no diagnostic(); only tests are tagged.
  if (tag && 'diagnostic' in t) t.diagnostic(`${TAG_DIAGNOSTIC_PREFIX}${JSON.stringify(tag)}`);
});
