/**
 * Where the Reliability results live, and reading and writing them. A test run records its cases
 * in `.results/reliability/` (ignored), one file a run; `make reliability-report` merges those
 * runs over the committed docs/results/reliability-results.json and renders docs/reliability.md.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CaseResult, formatResults, parseResults, type RunReport } from './results.ts';
import { renderTable, withTable } from './table.ts';

/** The repository root (this file is test/reliability/files.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The files, relative to the repository root unless absolute (the reporter's tests use others). */
export interface ReliabilityFiles {
  /** The folder of recorded runs, written by every test run (ignored by git). */
  runs: string;
  /** The committed rows. */
  results: string;
  /** The page the table is rendered into. */
  doc: string;
}

/** The defaults, or RELIABILITY_RUNS / RELIABILITY_RESULTS / RELIABILITY_DOC. */
export function defaultFiles(): ReliabilityFiles {
  const env = process.env;
  return {
    runs: path.resolve(REPO_ROOT, env.RELIABILITY_RUNS ?? '.results/reliability'),
    results: path.resolve(REPO_ROOT, env.RELIABILITY_RESULTS ?? 'docs/results/reliability-results.json'),
    doc: path.resolve(REPO_ROOT, env.RELIABILITY_DOC ?? 'docs/reliability.md'),
  };
}

/** The rows in the results file; none when it does not exist yet. */
export async function readCases(file: string): Promise<CaseResult[]> {
  if (!existsSync(file)) return [];
  return parseResults(await readFile(file, 'utf8'), file).cases;
}

/** Replaces a file through a temporary one, so a reader never sees half of it. */
async function replaceFile(file: string, content: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}

/** Writes the rows to the results file. */
export async function writeCases(file: string, cases: readonly CaseResult[]): Promise<void> {
  await replaceFile(file, formatResults(cases));
}

/** A run as recorded in the runs folder (file paths relative to the repository root). */
interface RecordedRun {
  at: string;
  files: Record<string, { failed: boolean }>;
  cases: CaseResult[];
}

/**
 * Saves a run in `dir` under a name that sorts by when it ended, so runs are merged in order;
 * returns the file's path.
 */
export async function saveRun(dir: string, run: RunReport, label: string): Promise<string> {
  const file = path.join(dir, `${run.at.replaceAll(':', '-')}-${label}.json`);
  const recorded: RecordedRun = { at: run.at, files: Object.fromEntries(run.files), cases: run.cases };
  await replaceFile(file, `${JSON.stringify(recorded)}\n`);
  return file;
}

/** The runs saved in `dir`, oldest first, with their files. */
export async function savedRuns(dir: string): Promise<Array<{ file: string; run: RunReport }>> {
  const names = existsSync(dir) ? (await readdir(dir)).filter((n) => n.endsWith('.json')).sort() : [];
  return Promise.all(
    names.map(async (name) => {
      const file = path.join(dir, name);
      const r = JSON.parse(await readFile(file, 'utf8')) as RecordedRun;
      if (!Array.isArray(r.cases) || typeof r.files !== 'object')
        throw new Error(`${file} is not a recorded run`);
      return { file, run: { at: r.at, cases: r.cases, files: new Map(Object.entries(r.files)) } };
    }),
  );
}

/**
 * Renders the rows into the page between its markers, linking test files relative to the page;
 * true when the page changed.
 */
export async function renderIntoDoc(doc: string, cases: readonly CaseResult[]): Promise<boolean> {
  const before = await readFile(doc, 'utf8');
  const toRoot = path.relative(path.dirname(doc), REPO_ROOT);
  const after = withTable(before, renderTable(cases, toRoot === '' ? '' : `${toRoot}/`));
  if (after === before) return false;
  await replaceFile(doc, after);
  return true;
}
