/**
 * How Go writes a JSON value the API server decoded, for the parts of a message that Go renders:
 * `encoding/json.Marshal` (field.Invalid's rendering of a list or an object) and `%v` of a number.
 *
 * Go's rules that JSON.stringify does not follow (encoding/json documentation and go1.22 notes):
 * `<`, `>` and `&` are written `\u003c`, `\u003e`, `\u0026` (HTML-safe), U+2028 and U+2029
 * `\u2028` and `\u2029`; map keys are sorted by their bytes; an unpaired surrogate is U+FFFD.
 * Numbers are written alike: the API server decodes a whole number into an int64 and any other
 * into a float64, and Go writes both as JavaScript does (shortest digits, an exponent from 1e21
 * and below 1e-6).
 */
import { goRune, goString } from './go-quote.ts';

const JSON_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x22, '\\"'],
  [0x5c, '\\\\'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x3c, '\\u003c'],
  [0x3e, '\\u003e'],
  [0x26, '\\u0026'],
  [0x2028, '\\u2028'],
  [0x2029, '\\u2029'],
]);

/** Strings Go writes as they are between the quotes. */
const PLAIN = /^[\x20\x21\x23-\x25\x27-\x3b\x3d\x3f-\x5b\x5d-\x7f]*$/;

/** A string as Go's json.Marshal writes it. */
export function goJsonString(value: string): string {
  if (PLAIN.test(value)) return `"${value}"`;
  let out = '"';
  for (const character of value) {
    const rune = goRune(character.codePointAt(0) ?? 0);
    const escaped = JSON_ESCAPES.get(rune);
    if (escaped) out += escaped;
    else if (rune < 0x20) out += `\\u${rune.toString(16).padStart(4, '0')}`;
    else out += String.fromCodePoint(rune);
  }
  return `${out}"`;
}

/**
 * An object's members as Go holds them in a map and writes them: keys as Go decoded them (two
 * keys that differ only in lone surrogates are one key there, the later value winning), sorted
 * by their UTF-8 bytes.
 */
function goMapEntries(object: Record<string, unknown>): [string, unknown][] {
  const members = new Map<string, unknown>();
  for (const key of Object.keys(object)) members.set(goString(key), object[key]);
  return [...members].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** What JSON writes for a number, in Go as in JavaScript; a non-finite one cannot come from JSON. */
function goJsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** A rendering that may have stopped early. */
export interface Rendered {
  text: string;
  /** False when the value was longer than the budget: text is then its beginning. */
  complete: boolean;
}

/**
 * `value` as Go's json.Marshal writes it, stopping once past `maxCharacters` (a request can hold a
 * list of millions of entries). Iterative, so a value nested a hundred thousand levels deep
 * cannot overflow the stack.
 */
export function goJson(value: unknown, maxCharacters = Number.POSITIVE_INFINITY): Rendered {
  let text = '';
  // Pending work, last first: a value to write, or text to append.
  const pending: ({ value: unknown } | string)[] = [{ value }];
  while (pending.length > 0) {
    if (text.length > maxCharacters) return { text, complete: false };
    const next = pending.pop();
    if (typeof next === 'string') {
      text += next;
      continue;
    }
    const v = next?.value;
    if (typeof v === 'string') text += goJsonString(v);
    else if (typeof v === 'number') text += goJsonNumber(v);
    else if (typeof v === 'boolean') text += String(v);
    else if (v === null || v === undefined || typeof v !== 'object') text += 'null';
    else if (Array.isArray(v)) {
      text += '[';
      pending.push(']');
      for (let i = v.length - 1; i >= 0; i--) {
        pending.push({ value: v[i] });
        if (i > 0) pending.push(',');
      }
    } else {
      const entries = goMapEntries(v as Record<string, unknown>);
      text += '{';
      pending.push('}');
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, member] = entries[i] ?? ['', null];
        pending.push({ value: member });
        pending.push(`${goJsonString(key)}:`);
        if (i > 0) pending.push(',');
      }
    }
  }
  return { text, complete: true };
}

/** The largest magnitude an int64 holds, and so a JSON number the API server decodes into one. */
const INT64_LIMIT = 2 ** 63;

/**
 * A number as `%v` prints the Go value the API server decodes it into: an int64 when it is whole
 * and fits, printed in full; otherwise a float64, which `%v` prints as `%g` with the shortest
 * digits: an exponent of at least two digits below 1e-4 and from 1e6 on (`1e+06`, `2.5e-05`).
 */
export function goNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && Math.abs(value) < INT64_LIMIT) return String(value);
  const [mantissa = '', exponentText = '0'] = value.toExponential().split('e');
  const exponent = Number(exponentText);
  if (exponent >= -4 && exponent < 6) return String(value);
  const sign = exponent < 0 ? '-' : '+';
  return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
}
