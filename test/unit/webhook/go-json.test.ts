/**
 * goJson and goNumber against Go's encoding/json and fmt rules; the cases are in
 * go-render-cases.ts, and go-oracle.test.ts checks them against Go itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goJson, goNumber } from '../../../webhook/go-render/go-json.ts';
import { JSON_CASES, NUMBER_CASES } from './go-render-cases.ts';

describe('goJson, as Go’s json.Marshal', () => {
  for (const c of JSON_CASES)
    it(c.name, () => assert.deepEqual(goJson(c.value), { text: c.json, complete: true }));

  it('stops soon after its budget on a list of a million entries', () => {
    const { text, complete } = goJson(Array(1e6).fill('member1'), 100);
    assert.equal(complete, false);
    assert.ok(text.length > 100 && text.length < 200, `${text.length} characters`);
    assert.ok(text.startsWith('["member1","member1",'));
  });

  it('writes a list nested a hundred thousand levels deep without overflowing the stack', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(goJson(deep, 10).text.slice(0, 10), '[[[[[[[[[[');
  });
});

describe('goNumber, as Go’s %v of the decoded number', () => {
  for (const c of NUMBER_CASES) it(c.name, () => assert.equal(goNumber(c.value), c.printed));
});
