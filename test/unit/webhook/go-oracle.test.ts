/**
 * Our Go renderings against Go itself: test/go-oracle/render runs strconv.Quote, json.Marshal and
 * apimachinery's field.Invalid (v0.35, as Karmada v1.18.2 and the sandbox's API server) on the
 * hand-written cases of go-render-cases.ts and on generated strings and values, and lists the
 * runes strconv.IsPrint accepts. `go run` takes under a second once built (the first build of a
 * fresh machine compiles Go's standard packages: about a minute).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { formatFieldError, invalid, MAX_VALUE_CHARACTERS } from '../../../webhook/go-render/field-errors.ts';
import { goJson } from '../../../webhook/go-render/go-json.ts';
import { goPrintableRanges } from '../../../webhook/go-render/go-printable.ts';
import { goQuote } from '../../../webhook/go-render/go-quote.ts';
import { JSON_CASES, MESSAGE_CASES, NUMBER_CASES, QUOTE_CASES } from './go-render-cases.ts';

const ORACLE_DIR = fileURLToPath(new URL('../../go-oracle/render/', import.meta.url));
/** Generous: only a hang should trip it (a cold build on a busy two-core machine takes minutes). */
const GO_TIMEOUT_MS = 10 * 60_000;
const DETAIL = 'must be an integer';
const SEED = Number(process.env.FUZZ_SEED ?? 20261130);

/** Runs the oracle in one mode with input on stdin; rejects with its stderr on failure. */
function oracle(mode: string, input = ''): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'go',
      ['run', '.', mode],
      {
        cwd: ORACLE_DIR,
        timeout: GO_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' },
      },
      (err, stdout, stderr) =>
        err ? reject(new Error(`go run . ${mode}: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
    child.stdin?.end(input);
  });
}

interface GoRendering {
  quote?: string;
  json: string;
  invalid: string;
}

/** Strings with every kind of rune: any code point, lone surrogates, and the troublesome few. */
const anyString = fc.string({
  maxLength: 12,
  unit: fc.oneof(
    { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((u) => String.fromCharCode(u)) },
    { weight: 2, arbitrary: fc.integer({ min: 0, max: 0x2ff }).map((u) => String.fromCodePoint(u)) },
    {
      weight: 1,
      arbitrary: fc.constantFrom('<', '>', '&', '"', '\\', '\u2028', '\u2029', '\x7f', '\b', '\f'),
    },
  ),
});
const anyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(2 ** 31, 2 ** 53, 2 ** 63, 1e21, 1e-7, 1e6, 0.0001),
);
const anyValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    anyString,
    anyNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(anyString, tie('value'), { maxKeys: 3 }),
  ),
})).value;

describe('our Go renderings, checked by Go', () => {
  const handWritten: { name: string; value: unknown }[] = [
    ...QUOTE_CASES.map((c) => ({ name: c.name, value: c.input })),
    ...JSON_CASES.map((c) => ({ name: c.name, value: c.value })),
    ...NUMBER_CASES.map((c) => ({ name: c.name, value: c.value })),
    ...MESSAGE_CASES.map((c) => ({ name: c.name, value: c.value })),
  ];
  const generated = fc.sample(anyValue, { numRuns: 3000, seed: SEED });
  let answers: GoRendering[] = [];

  before(async () => {
    const values = [...handWritten.map((c) => c.value), ...generated];
    const input = JSON.stringify(values.map((value) => ({ value, detail: DETAIL })));
    answers = JSON.parse(await oracle('render', input)) as GoRendering[];
    assert.equal(answers.length, values.length);
  });

  /** Go's rendering of a value in a message, cut as ours is past MAX_VALUE_CHARACTERS. */
  function cut(value: unknown, go: GoRendering): string {
    const whole = go.invalid.slice('spec.ports[0].port: Invalid value: '.length, -`: ${DETAIL}`.length);
    if (whole.length <= MAX_VALUE_CHARACTERS) return whole;
    if (typeof value === 'string')
      return `${whole.slice(0, MAX_VALUE_CHARACTERS)}... (${whole.length} characters)`;
    return `${whole.slice(0, MAX_VALUE_CHARACTERS)}... (more than ${MAX_VALUE_CHARACTERS} characters)`;
  }

  /** The first cases where ours and Go's differ, for a readable failure. */
  function mismatches(values: readonly unknown[], offset: number) {
    const found: { value: unknown; ours: GoRendering; go: GoRendering }[] = [];
    for (const [i, value] of values.entries()) {
      const go = answers[offset + i];
      assert.ok(go, `Go answered case ${offset + i}`);
      const ours: GoRendering = {
        ...(typeof value === 'string' ? { quote: goQuote(value) } : {}),
        json: goJson(value).text,
        invalid: formatFieldError(invalid('spec.ports[0].port', value, DETAIL)),
      };
      // Go prints a value whole; we cut it past MAX_VALUE_CHARACTERS, after the same beginning.
      const expected = { ...go, invalid: `spec.ports[0].port: Invalid value: ${cut(value, go)}: ${DETAIL}` };
      if (JSON.stringify(ours) !== JSON.stringify(expected)) found.push({ value, ours, go });
    }
    return found.slice(0, 5);
  }

  it('agrees with Go on every hand-written case', () => {
    assert.deepEqual(
      mismatches(
        handWritten.map((c) => c.value),
        0,
      ),
      [],
    );
  });

  it(`agrees with Go on 3,000 generated strings, numbers, lists and maps (seed ${SEED})`, () => {
    assert.deepEqual(mismatches(generated, handWritten.length), []);
  });

  it('the hand-written expectations are what Go prints', () => {
    const at = (name: string) => answers[handWritten.findIndex((c) => c.name === name)];
    for (const c of QUOTE_CASES) assert.equal(at(c.name)?.quote, c.quoted, c.name);
    for (const c of JSON_CASES) assert.equal(at(c.name)?.json, c.json, c.name);
    for (const c of NUMBER_CASES)
      assert.equal(at(c.name)?.invalid, `spec.ports[0].port: Invalid value: ${c.printed}: ${DETAIL}`, c.name);
    for (const c of MESSAGE_CASES) assert.equal(at(c.name)?.invalid, c.message, c.name);
  });
});

describe('the printable runes, checked by Go', () => {
  it('are the ranges strconv.IsPrint accepts, in Go’s Unicode version', async () => {
    const go = JSON.parse(await oracle('printable')) as { unicode: string; ranges: [number, number][] };
    assert.equal(
      go.unicode,
      '15.0.0',
      'the Unicode version of the Go that builds Kubernetes v1.35 and Karmada v1.18',
    );
    assert.deepEqual(goPrintableRanges(), go.ranges);
  });
});
