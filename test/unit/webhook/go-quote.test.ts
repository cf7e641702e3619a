/**
 * goQuote against Go's strconv.Quote rules (the strconv documentation: "Quote returns a
 * double-quoted Go string literal representing s. The returned string uses Go escape sequences
 * (\t, \n, \xFF, \u0100) for control characters and non-printable characters as defined by
 * IsPrint"). The cases are in go-render-cases.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isGoPrintable } from '../../../webhook/go-render/go-printable.ts';
import { goQuote } from '../../../webhook/go-render/go-quote.ts';
import { QUOTE_CASES } from './go-render-cases.ts';

describe('goQuote, as Go’s %q', () => {
  for (const c of QUOTE_CASES) it(c.name, () => assert.equal(goQuote(c.input), c.quoted));

  it('quotes a megabyte of printable ASCII in one piece', () => {
    const long = 'a'.repeat(1e6);
    assert.equal(goQuote(long), `"${long}"`);
  });
});

describe('which runes Go calls printable', () => {
  const runes: { name: string; rune: number; printable: boolean }[] = [
    { name: 'the ASCII space is printable', rune: 0x20, printable: true },
    { name: 'tilde, the last printable ASCII, is printable', rune: 0x7e, printable: true },
    { name: 'DEL is not', rune: 0x7f, printable: false },
    { name: 'the inverted exclamation mark is', rune: 0xa1, printable: true },
    { name: 'the soft hyphen is not', rune: 0xad, printable: false },
    { name: 'the last rune is not', rune: 0x10ffff, printable: false },
    { name: 'a surrogate is not', rune: 0xd800, printable: false },
  ];
  for (const r of runes) it(r.name, () => assert.equal(isGoPrintable(r.rune), r.printable));
});
