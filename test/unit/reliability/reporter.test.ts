import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { TAG_DIAGNOSTIC_PREFIX } from '../../reliability/case.ts';
import { REPO_ROOT, savedRuns, saveRun } from '../../reliability/files.ts';
import { type CaseResult, mergeRun, type RawRun, runReport } from '../../reliability/results.ts';
import { renderTable, TABLE_END, TABLE_START, withTable } from '../../reliability/table.ts';

const AT = '2026-11-22T05:00:00.000Z';
const FAULTS = 'test/e2e/syncer-faults.test.ts';
const FUZZ = 'test/unit/webhook/fuzz.test.ts';

function row(
  file: string,
  test: string,
  result: CaseResult['result'],
  extra: Partial<CaseResult> = {},
): CaseResult {
  return { area: 'Faults', case: test, file, test, result, at: '2026-11-01T00:00:00.000Z', ...extra };
}

describe('merging a run into the results', () => {
  const previous = [row(FAULTS, 'a', 'pass'), row(FAULTS, 'b', 'pass'), row(FUZZ, 'c', 'pass')];
  const exists = () => true;

  it('replaces the rows of the files the run ran, and keeps the others', () => {
    const merged = mergeRun(
      previous,
      {
        cases: [row(FAULTS, 'a', 'fail'), row(FAULTS, 'b', 'pass')],
        files: new Map([[FAULTS, { failed: true }]]),
        at: AT,
      },
      exists,
    );
    assert.deepEqual(
      merged.map((c) => `${c.test}:${c.result}`),
      ['a:fail', 'b:pass', 'c:pass'],
    );
  });

  it('drops a row its file no longer reports when the file passed whole', () => {
    const merged = mergeRun(
      previous,
      { cases: [row(FAULTS, 'a', 'pass')], files: new Map([[FAULTS, { failed: false }]]), at: AT },
      exists,
    );
    assert.deepEqual(
      merged.map((c) => c.test),
      ['a', 'c'],
    );
  });

  it('shows a row its failing file never reached as not reached', () => {
    const merged = mergeRun(
      previous,
      { cases: [], files: new Map([[FAULTS, { failed: true }]]), at: AT },
      exists,
    );
    assert.deepEqual(
      merged.map((c) => `${c.test}:${c.result}:${c.at}`),
      [`a:not reached:${AT}`, `b:not reached:${AT}`, 'c:pass:2026-11-01T00:00:00.000Z'],
    );
  });

  it('forgets the rows of a test file that was deleted', () => {
    const merged = mergeRun(previous, { cases: [], files: new Map(), at: AT }, (f) => f !== FUZZ);
    assert.deepEqual(
      merged.map((c) => c.test),
      ['a', 'b'],
    );
  });
});

describe('the table', () => {
  it('lists area, case, what was checked with its file linked from the page, and the last result with its figures', () => {
    const table = renderTable(
      [
        row(FUZZ, 'answers | in time', 'pass', {
          area: 'Bad input',
          case: 'Fuzzed',
          durationMs: 14_200,
          figures: '10,000 cases',
        }),
        row(FAULTS, 'keeps copies', 'fail', { error: 'expected 2 slices' }),
      ],
      '../',
    );
    assert.equal(
      table,
      [
        'Rendered by `make reliability-report` from [reliability-results.json](../docs/results/reliability-results.json), which takes in the results `make test` leaves in `.results/`; 1 of 2 cases passed in their last run.',
        '',
        '| Area | Case | What was checked | Last run |',
        '| --- | --- | --- | --- |',
        `| Bad input | Fuzzed | answers \\| in time ([fuzz.test.ts](../${FUZZ})) | pass (2026-11-01, 14.2 s; 10,000 cases) |`,
        `| Faults | keeps copies | keeps copies ([syncer-faults.test.ts](../${FAULTS})) | **fail** (2026-11-01, expected 2 slices) |`,
      ].join('\n'),
    );
  });

  it('goes between the markers, replacing what was there', () => {
    const readme = `# x\n\n${TABLE_START}\nold\n${TABLE_END}\nafter\n`;
    assert.equal(withTable(readme, 'new'), `# x\n\n${TABLE_START}\nnew\n${TABLE_END}\nafter\n`);
    assert.throws(() => withTable('# no markers', 'new'), /the page has no <!-- reliability:start -->/);
  });
});

describe('the reporter and the recording of its run', () => {
  /** node:test events as the reporter receives them. */
  interface TestEvent {
    type: string;
    data?: Record<string, unknown>;
  }
  type Reporter = (source: AsyncIterable<TestEvent>) => AsyncGenerator<string>;
  const file = path.join(REPO_ROOT, FAULTS);

  async function* events(): AsyncGenerator<TestEvent> {
    const tag = (c: string) => ({
      type: 'test:diagnostic',
      data: {
        file,
        nesting: 1,
        message: `${TAG_DIAGNOSTIC_PREFIX}${JSON.stringify({ area: 'Faults', case: c })}`,
      },
    });
    yield {
      type: 'test:pass',
      data: { file, nesting: 1, name: 'keeps copies', details: { duration_ms: 1234.5 } },
    };
    yield tag('Member down');
    yield { type: 'test:diagnostic', data: { file, nesting: 1, message: 'some other diagnostic' } };
    yield {
      type: 'test:fail',
      data: {
        file,
        nesting: 1,
        name: 'converges',
        details: { duration_ms: 10, error: { message: 'wrapper', cause: { message: 'expected 2\nslices' } } },
      },
    };
    yield tag('Member back');
    yield { type: 'test:pass', data: { file, nesting: 1, name: 'untagged', details: { duration_ms: 1 } } };
    yield { type: 'test:fail', data: { file, nesting: 0, name: 'the syncer under faults', details: {} } };
    yield { type: 'test:diagnostic', data: { nesting: 0, message: 'tests 3' } };
  }

  it('pairs each tag with the result of its test, and writes the run as one JSON document', async () => {
    // A variable keeps tsc from resolving the plain-JavaScript module.
    const module = '../../reliability/reporter.mjs';
    const reporter = ((await import(module)) as { default: Reporter }).default;
    const out: string[] = [];
    for await (const chunk of reporter(events())) out.push(chunk);
    assert.equal(out.length, 1);
    const raw = JSON.parse(out[0] ?? '') as RawRun;
    assert.deepEqual(raw.files, { [file]: { failed: true } });

    const run = runReport({ ...raw, at: AT }, REPO_ROOT);
    assert.deepEqual(run.cases, [
      {
        area: 'Faults',
        case: 'Member down',
        file: FAULTS,
        test: 'keeps copies',
        result: 'pass',
        durationMs: 1235,
        at: AT,
      },
      {
        area: 'Faults',
        case: 'Member back',
        file: FAULTS,
        test: 'converges',
        result: 'fail',
        durationMs: 10,
        at: AT,
        error: 'expected 2',
      },
    ]);
    assert.deepEqual([...run.files], [[FAULTS, { failed: true }]]);
    assert.match(
      renderTable(run.cases),
      /\| Faults \| Member back \| converges .* \| \*\*fail\*\* \(2026-11-22, 10 ms; expected 2\) \|/,
    );
  });
});

describe('the runs a test run saves for make reliability-report', () => {
  it('saves each run under a name of its own, and gives them back oldest first, as recorded', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reliability-runs-'));
    try {
      const later = {
        cases: [row(FAULTS, 'a', 'fail')],
        files: new Map([[FAULTS, { failed: true }]]),
        at: AT,
      };
      const earlier = {
        cases: [row(FAULTS, 'a', 'pass')],
        files: new Map([[FAULTS, { failed: false }]]),
        at: '2026-11-21T05:00:00.000Z',
      };
      await saveRun(dir, later, 'reliability-run-test-e2e');
      await saveRun(dir, earlier, 'reliability-run-test-e2e');
      assert.equal((await readdir(dir)).length, 2);
      const runs = await savedRuns(dir);
      assert.deepEqual(
        runs.map(({ run }) => run),
        [earlier, later],
      );
      const merged = runs.reduce<CaseResult[]>((cases, { run }) => mergeRun(cases, run, () => true), []);
      assert.deepEqual(
        merged.map((c) => `${c.test}:${c.result}`),
        ['a:fail'],
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
