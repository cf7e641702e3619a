/**
 * After a test run: saves the run's cases (written by ./reporter.mjs) in .results/reliability/,
 * where `make reliability-report` finds them. `make test-unit` and `make test-e2e` call it whether
 * their tests passed or not, so a failure shows in the table. It writes no tracked file.
 *
 *   node --import tsx test/reliability/record.ts RUN_FILE
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { defaultFiles, REPO_ROOT, saveRun } from './files.ts';
import { type RawRun, runReport } from './results.ts';

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
  const saved = await saveRun(defaultFiles().runs, run, path.basename(runFile, '.json'));
  const failing = run.cases.filter((c) => c.result !== 'pass').length;
  process.stdout.write(
    `reliability: ${run.cases.length} tagged cases in this run (${failing} not passing), saved in ${path.relative(REPO_ROOT, saved)}; make reliability-report renders them into docs/reliability.md\n`,
  );
}

main(process.argv[2]).catch((err: Error) => {
  process.stderr.write(`reliability: ${err.message}\n`);
  process.exitCode = 1;
});
