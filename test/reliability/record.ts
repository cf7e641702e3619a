/**
 * After a test run: merges the run's cases (written by ./reporter.mjs) into
 * reliability-results.json and renders the README's Reliability table. `make test-unit` and
 * `make test-e2e` call it whether their tests passed or not, so a failure shows in the table.
 *
 *   node --import tsx test/reliability/record.ts RUN_FILE
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { defaultFiles, REPO_ROOT, readCases, renderIntoReadme, writeCases } from './files.ts';
import { mergeRun, type RawRun, runReport } from './results.ts';

async function main(runFile: string | undefined): Promise<void> {
  if (!runFile) throw new Error('usage: record.ts RUN_FILE (the destination of reporter.mjs)');
  if (!existsSync(runFile)) {
    process.stdout.write(`reliability: no ${runFile} (the test run ended before its reporter wrote)\n`);
    return;
  }
  const text = (await readFile(runFile, 'utf8')).trim();
  await rm(runFile);
  if (text === '') return;
  const run = runReport(JSON.parse(text) as RawRun, REPO_ROOT);
  const files = defaultFiles();
  const merged = mergeRun(await readCases(files.results), run, (f) => existsSync(path.resolve(REPO_ROOT, f)));
  await writeCases(files.results, merged);
  await renderIntoReadme(files.readme, merged);
  const failing = run.cases.filter((c) => c.result !== 'pass').length;
  process.stdout.write(
    `reliability: ${run.cases.length} tagged cases in this run (${failing} not passing); ${path.relative(REPO_ROOT, files.results)} and the README table updated\n`,
  );
}

main(process.argv[2]).catch((err: Error) => {
  process.stderr.write(`reliability: ${err.message}\n`);
  process.exitCode = 1;
});
