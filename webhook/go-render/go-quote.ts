/**
 * Go's `strconv.Quote`, which is what `%q` prints: apimachinery's field errors quote a bad string
 * value with it (`Invalid value: "h\x01"`), so our messages read as Kubernetes' and Karmada's do.
 *
 * The rules (Go's strconv documentation): the result is a double-quoted Go string literal; `"`
 * and `\` are backslashed; a rune Go calls printable (`strconv.IsPrint`: letters, marks, numbers,
 * punctuation, symbols and the ASCII space, as of Go's Unicode version) is kept as it is, so `<`,
 * `é` and `😀` stay; anything else is escaped: `\a \b \f \n \r \t \v`, `\xNN` below U+0020 and for
 * DEL, `\uNNNN` up to U+FFFF (U+2028 → `\u2028`, U+00A0 → `\u00a0`), `\UNNNNNNNN` above.
 */
import { isGoPrintable } from './go-printable.ts';

/** Strings that quote to themselves between the quotes: printable ASCII but `"` and `\`. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

const NAMED_ESCAPES: ReadonlyMap<number, string> = new Map([
  [0x07, '\\a'],
  [0x08, '\\b'],
  [0x0c, '\\f'],
  [0x0a, '\\n'],
  [0x0d, '\\r'],
  [0x09, '\\t'],
  [0x0b, '\\v'],
]);

const REPLACEMENT_CHARACTER = 0xfffd;

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

/**
 * The code point Go holds for one code point of a JS string. A lone surrogate cannot come from
 * valid UTF-8: Go's JSON decoder turns an unpaired `\ud800` into U+FFFD, so the webhook in Go
 * would have held U+FFFD where JSON.parse gives us the surrogate.
 */
export function goRune(codePoint: number): number {
  return codePoint >= 0xd800 && codePoint <= 0xdfff ? REPLACEMENT_CHARACTER : codePoint;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The string Go holds for a JS string: each lone surrogate is U+FFFD (see {@link goRune}). */
export function goString(value: string): string {
  return value.replace(LONE_SURROGATE, '\ufffd');
}

/** One rune as strconv.Quote writes it inside the quotes. */
function quoteRune(rune: number): string {
  if (rune === 0x22) return '\\"';
  if (rune === 0x5c) return '\\\\';
  if (isGoPrintable(rune)) return String.fromCodePoint(rune);
  const named = NAMED_ESCAPES.get(rune);
  if (named) return named;
  if (rune < 0x20 || rune === 0x7f) return `\\x${hex(rune, 2)}`;
  if (rune < 0x10000) return `\\u${hex(rune, 4)}`;
  return `\\U${hex(rune, 8)}`;
}

/** `value` quoted as Go's strconv.Quote (and so `fmt.Sprintf("%q", value)`) quotes it. */
export function goQuote(value: string): string {
  if (PLAIN_ASCII.test(value)) return `"${value}"`;
  let quoted = '"';
  for (const character of value) quoted += quoteRune(goRune(character.codePointAt(0) ?? 0));
  return `${quoted}"`;
}
