/**
 * `make bench-report`: takes in the figures the benchmarks wrote to .results/bench-results.json
 * (each key replaces the committed one), writes docs/results/bench-results.json, and renders
 * docs/performance.md and its latency CDF plot (docs/bench-latency-cdf.svg) from it, without
 * running any benchmark. A person runs it and commits the three files; `make bench` does not.
 *
 *   node --import tsx test/bench/render.ts [--results FILE] [--committed FILE] [--doc FILE]
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../sandbox/sandbox.ts';
import { cdfData, cdfSpec, renderSvg } from './karmada/cdf-plot.ts';
import { type BenchFile, CDF_SVG, PERFORMANCE_DOC, renderPerformance, withPerformance } from './readme.ts';
import { COMMITTED_RESULTS_FILE, RESULTS_FILE } from './results.ts';

const HELP = `Usage: node --import tsx test/bench/render.ts [--results FILE] [--committed FILE] [--doc FILE]

Merges the keys of .results/bench-results.json (what make bench wrote) over
docs/results/bench-results.json, then renders ${PERFORMANCE_DOC} (between <!-- bench:start -->
and <!-- bench:end -->) and ${CDF_SVG} from it. Commit the three files.
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

/** The JSON object in `file`, or undefined when there is no such file. */
async function readObject(file: string): Promise<Record<string, unknown> | undefined> {
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new Error(`cannot read ${file}: ${err.message}`);
  });
  if (text === undefined) return undefined;
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`${file} is not a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      results: { type: 'string' },
      committed: { type: 'string' },
      doc: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const runFile = path.resolve(values.results ?? RESULTS_FILE);
  const committedFile = path.resolve(values.committed ?? COMMITTED_RESULTS_FILE);
  const docFile = path.resolve(values.doc ?? path.join(REPO_ROOT, PERFORMANCE_DOC));
  const run = await readObject(runFile);
  const committed = await readObject(committedFile);
  if (!run && !committed)
    throw new Error(`neither ${runFile} nor ${committedFile} exists: run make bench first`);
  const merged = { ...committed, ...run };
  const resultsChanged = await replace(committedFile, `${JSON.stringify(merged, null, 2)}\n`);
  const file = merged as BenchFile;
  const docChanged = await replace(
    docFile,
    withPerformance(await readFile(docFile, 'utf8'), renderPerformance(file)),
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
  // Taken in: a later report starts from the committed file alone.
  if (run) await rm(runFile);
  const rel = (f: string) => path.relative(REPO_ROOT, f);
  process.stdout.write(
    `${rel(committedFile)}: ${run ? `took in ${Object.keys(run).join(', ')} from ${rel(runFile)}` : 'nothing new in .results/'}${resultsChanged ? '' : ', unchanged'}; ` +
      `${rel(docFile)}: ${docChanged ? 'updated' : 'already current'}; ${svg}\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`bench-report: ${err.message}\n`);
  process.exitCode = 1;
});
