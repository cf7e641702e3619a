/**
 * `make reliability-report`: merges the runs saved in .results/reliability/ (oldest first; each
 * replaces the rows of the files it ran) over docs/results/reliability-results.json, writes that
 * file and renders docs/reliability.md's table from it, without running any test. A person runs
 * it and commits both files; the runs taken in are removed.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { defaultFiles, REPO_ROOT, readCases, renderIntoDoc, savedRuns, writeCases } from './files.ts';
import { mergeRun } from './results.ts';

const files = defaultFiles();
try {
  let cases = await readCases(files.results);
  const runs = await savedRuns(files.runs);
  for (const { run } of runs) cases = mergeRun(cases, run, (f) => existsSync(path.resolve(REPO_ROOT, f)));
  if (runs.length > 0) await writeCases(files.results, cases);
  const changed = await renderIntoDoc(files.doc, cases);
  for (const { file } of runs) await rm(file);
  const rel = (f: string) => path.relative(REPO_ROOT, f);
  process.stdout.write(
    `${rel(files.results)}: ${runs.length} run(s) taken in from ${rel(files.runs)}; ${rel(files.doc)}: ${cases.length} cases, ${changed ? 'table updated' : 'table already current'}\n`,
  );
} catch (err) {
  process.stderr.write(`reliability-report: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
