/**
 * `make bench-report`: renders README § Performance and the latency CDF plot
 * (docs/bench-latency-cdf.svg) from bench-results.json, without running any benchmark.
 *
 *   node --import tsx test/bench/render.ts [--results FILE] [--readme FILE]
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../sandbox/sandbox.ts';
import { cdfData, cdfSpec, renderSvg } from './karmada/cdf-plot.ts';
import { type BenchFile, CDF_SVG, renderPerformance, withPerformance } from './readme.ts';
import { RESULTS_FILE } from './results.ts';

const HELP = `Usage: node --import tsx test/bench/render.ts [--results FILE] [--readme FILE]

Renders README § Performance (between <!-- bench:start --> and <!-- bench:end -->) and
${CDF_SVG} from bench-results.json, which make bench writes.
`;

async function replace(file: string, text: string): Promise<boolean> {
  const before = await readFile(file, 'utf8').catch(() => undefined);
  if (before === text) return false;
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
  return true;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      results: { type: 'string' },
      readme: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const resultsFile = path.resolve(values.results ?? RESULTS_FILE);
  const readmeFile = path.resolve(values.readme ?? path.join(REPO_ROOT, 'README.md'));
  const text = await readFile(resultsFile, 'utf8').catch((err: NodeJS.ErrnoException) => {
    throw new Error(`cannot read ${resultsFile} (${err.code ?? err.message}): run make bench first`);
  });
  const file = JSON.parse(text) as BenchFile;
  const readmeChanged = await replace(
    readmeFile,
    withPerformance(await readFile(readmeFile, 'utf8'), renderPerformance(file)),
  );
  let svg = 'no side-by-side figures: plot left as it was';
  if (file.karmada?.sequential) {
    const k = file.karmada;
    const subtitle = `${k.cores} cores, ${k.date.slice(0, 10)}, mcs-bridge ${k.commit}, Karmada ${k.versions.karmada}`;
    const changed = await replace(
      path.join(REPO_ROOT, CDF_SVG),
      await renderSvg(cdfSpec(cdfData(k), subtitle)),
    );
    svg = changed ? `${CDF_SVG} written` : `${CDF_SVG} already current`;
  }
  process.stdout.write(
    `${path.relative(REPO_ROOT, readmeFile)}: Performance ${readmeChanged ? 'updated' : 'already current'}; ${svg}\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`bench-report: ${err.message}\n`);
  process.exitCode = 1;
});
