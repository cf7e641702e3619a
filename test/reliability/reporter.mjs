/**
 * A node:test reporter for `make test-unit` and `make test-e2e`, next to the spec reporter. It
 * pairs each tag of ./case.ts (a diagnostic that follows its test's pass or fail event) with that
 * test's result, and at the end of the run writes one JSON document to its destination: the
 * tagged cases, and every file the run ran with whether anything in it failed. ./record.ts saves
 * that in .results/reliability/, and `make reliability-report` renders docs/reliability.md from it.
 *
 * Plain JavaScript: node:test loads reporters without the TypeScript hooks of `--import tsx`.
 *
 *   node --import tsx --test --test-reporter=spec --test-reporter-destination=stdout \
 *     --test-reporter=./test/reliability/reporter.mjs --test-reporter-destination=.results/reliability-run.json …
 */

/** Must match TAG_DIAGNOSTIC_PREFIX in ./case.ts. */
const TAG_PREFIX = 'reliability-case ';

/**
 * The first line of a failure, short.
 * @param {{ message?: string, cause?: { message?: string } } | undefined} error
 * @returns {string | undefined}
 */
function firstLine(error) {
  const message = error?.cause?.message ?? error?.message;
  if (!message) return undefined;
  const line = message.split('\n')[0] ?? '';
  return line.length > 160 ? `${line.slice(0, 160)}...` : line;
}

/**
 * @param {AsyncIterable<{ type: string, data?: Record<string, any> }>} source node:test's events
 * @returns {AsyncGenerator<string>}
 */
export default async function* reliabilityReporter(source) {
  /** The last test that finished, by file and nesting: a tag follows its test's event. */
  const lastFinished = new Map();
  /** @type {Record<string, { failed: boolean }>} */
  const files = {};
  const cases = [];
  for await (const event of source) {
    const d = event.data ?? {};
    if (!d.file) continue;
    const key = `${d.file}\0${d.nesting}`;
    if (event.type === 'test:pass' || event.type === 'test:fail') {
      const failed = event.type === 'test:fail';
      files[d.file] = { failed: (files[d.file]?.failed ?? false) || failed };
      lastFinished.set(key, {
        name: d.name ?? '',
        result: failed ? 'fail' : d.skip || d.todo ? 'skipped' : 'pass',
        durationMs: d.details?.duration_ms,
        error: failed ? firstLine(d.details?.error) : undefined,
      });
    } else if (event.type === 'test:diagnostic' && String(d.message).startsWith(TAG_PREFIX)) {
      const test = lastFinished.get(key);
      if (!test) throw new Error(`a reliability tag in ${d.file} follows no test: ${d.message}`);
      cases.push({ file: d.file, tag: JSON.parse(d.message.slice(TAG_PREFIX.length)), test });
    }
  }
  yield `${JSON.stringify({ at: new Date().toISOString(), files, cases })}\n`;
}
