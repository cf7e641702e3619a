/**
 * `make reliability-table`: renders the README's Reliability table from reliability-results.json
 * (which `make test` writes) without running any test.
 */
import path from 'node:path';
import { defaultFiles, REPO_ROOT, readCases, renderIntoReadme } from './files.ts';

const files = defaultFiles();
try {
  const cases = await readCases(files.results);
  const changed = await renderIntoReadme(files.readme, cases);
  const readme = path.relative(REPO_ROOT, files.readme);
  process.stdout.write(
    `${readme}: ${cases.length} cases, ${changed ? 'table updated' : 'table already current'}\n`,
  );
} catch (err) {
  process.stderr.write(`reliability-table: ${(err as Error).message}\n`);
  process.exitCode = 1;
}
