/**
 * reliability-results.json: every tagged case with the result of its last run, and how a run's
 * cases are merged into it. Pure; the reporter does the reading and writing.
 */
import path from 'node:path';
import { RELIABILITY_AREAS, type ReliabilityTag } from './areas.ts';

/** How a tagged test ended in its last run. `not reached`: its file failed before the test tagged itself. */
export type CaseOutcome = 'pass' | 'fail' | 'skipped' | 'not reached';

/** One row of the table: the tag, its test, and its last result. */
export interface CaseResult extends ReliabilityTag {
  /** The test file, relative to the repository root. */
  file: string;
  /** The test's name. */
  test: string;
  result: CaseOutcome;
  durationMs?: number;
  /** When the run that produced the result ended (ISO 8601). */
  at: string;
  /** The first line of the failure, for a failed case. */
  error?: string;
}

/** The content of reliability-results.json. */
export interface ReliabilityResults {
  about: string;
  cases: CaseResult[];
}

/** What one test run reports: its tagged cases, and every file it ran with whether any test in it failed. */
export interface RunReport {
  cases: CaseResult[];
  files: ReadonlyMap<string, { failed: boolean }>;
  at: string;
}

/** The document ./reporter.mjs writes at the end of a run (absolute file paths). */
export interface RawRun {
  at: string;
  files: Record<string, { failed: boolean }>;
  cases: {
    file: string;
    tag: ReliabilityTag;
    test: { name: string; result: CaseOutcome; durationMs?: number; error?: string };
  }[];
}

/** The reporter's document as rows, with file paths relative to `root`. */
export function runReport(raw: RawRun, root: string): RunReport {
  const relative = (f: string) => path.relative(root, f);
  const cases: CaseResult[] = raw.cases.map(({ file, tag, test }) => ({
    ...tag,
    file: relative(file),
    test: test.name,
    result: test.result,
    ...(test.durationMs !== undefined ? { durationMs: Math.round(test.durationMs) } : {}),
    at: raw.at,
    ...(test.error ? { error: test.error } : {}),
  }));
  const files = new Map(Object.entries(raw.files).map(([f, s]) => [relative(f), s]));
  return { cases, files, at: raw.at };
}

/** What the file says about itself. */
export const RESULTS_ABOUT =
  'Written by make reliability-report (test/reliability/render.ts), which merges the runs make test-unit and make test-e2e saved in .results/reliability/ (each run replaces the rows of the files it ran); rendered into docs/reliability.md. Do not edit by hand.';

const sameCase = (a: CaseResult, b: CaseResult) =>
  a.file === b.file && a.test === b.test && a.case === b.case;

/**
 * The results after a run. The rows of a file the run ran are replaced by the run's; a row the
 * run did not report again is dropped when its file passed whole (the test was removed or no
 * longer tagged), and kept as `not reached` when the file had a failure. Rows of files the run
 * did not run stay as they were, unless `fileExists` says the file is gone.
 */
export function mergeRun(
  previous: readonly CaseResult[],
  run: RunReport,
  fileExists: (file: string) => boolean,
): CaseResult[] {
  const merged: CaseResult[] = [];
  for (const old of previous) {
    const file = run.files.get(old.file);
    if (!file) {
      if (fileExists(old.file)) merged.push(old);
    } else if (file.failed && !run.cases.some((c) => sameCase(c, old))) {
      const { error: _error, figures: _figures, durationMs: _duration, ...rest } = old;
      merged.push({ ...rest, result: 'not reached', at: run.at });
    }
  }
  merged.push(...run.cases);
  return sortCases(merged);
}

/** Orders rows by area (as the table lists them), then file; a file's rows keep their order. */
export function sortCases(cases: readonly CaseResult[]): CaseResult[] {
  const areaRank = (c: CaseResult) => RELIABILITY_AREAS.indexOf(c.area);
  return cases
    .map((c, i) => ({ c, i }))
    .sort((x, y) => areaRank(x.c) - areaRank(y.c) || x.c.file.localeCompare(y.c.file) || x.i - y.i)
    .map(({ c }) => c);
}

/** Parses the file's text; throws naming the file when it is not what this module writes. */
export function parseResults(text: string, file: string): ReliabilityResults {
  const parsed = JSON.parse(text) as Partial<ReliabilityResults>;
  if (!Array.isArray(parsed.cases)) throw new Error(`${file} has no "cases" list`);
  return { about: RESULTS_ABOUT, cases: parsed.cases };
}

/** The file's text for a list of rows. */
export function formatResults(cases: readonly CaseResult[]): string {
  return `${JSON.stringify({ about: RESULTS_ABOUT, cases: [...cases] } satisfies ReliabilityResults, null, 2)}\n`;
}
