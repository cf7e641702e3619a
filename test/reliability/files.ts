/**
 * Where the Reliability results and the README live, and writing them: shared by the reporter
 * of `make test` and by `make reliability-table`.
 */
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CaseResult, formatResults, parseResults } from './results.ts';
import { renderTable, withTable } from './table.ts';

/** The repository root (this file is test/reliability/files.ts). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The files, relative to the repository root unless absolute (the reporter's tests use others). */
export interface ReliabilityFiles {
  results: string;
  readme: string;
}

/** reliability-results.json and README.md at the root, or RELIABILITY_RESULTS / RELIABILITY_README. */
export function defaultFiles(): ReliabilityFiles {
  return {
    results: path.resolve(REPO_ROOT, process.env.RELIABILITY_RESULTS ?? 'reliability-results.json'),
    readme: path.resolve(REPO_ROOT, process.env.RELIABILITY_README ?? 'README.md'),
  };
}

/** The rows in the results file; none when it does not exist yet. */
export async function readCases(file: string): Promise<CaseResult[]> {
  if (!existsSync(file)) return [];
  return parseResults(await readFile(file, 'utf8'), file).cases;
}

/** Replaces a file through a temporary one, so a reader never sees half of it. */
async function replaceFile(file: string, content: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, content);
  await rename(temp, file);
}

/** Writes the rows to the results file. */
export async function writeCases(file: string, cases: readonly CaseResult[]): Promise<void> {
  await replaceFile(file, formatResults(cases));
}

/** Renders the rows into the README between its markers; true when the README changed. */
export async function renderIntoReadme(readme: string, cases: readonly CaseResult[]): Promise<boolean> {
  const before = await readFile(readme, 'utf8');
  const after = withTable(before, renderTable(cases));
  if (after === before) return false;
  await replaceFile(readme, after);
  return true;
}
