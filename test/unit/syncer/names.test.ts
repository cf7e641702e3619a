import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backingServiceName,
  dispatchedSliceName,
  exportKey,
  exportKeyOf,
  importSliceName,
  isDnsSubdomain,
  MAX_SLICE_NAME_LENGTH,
} from '../../../syncer/names.ts';

const HASHED = /(^|-)[0-9a-f]{16}$/;

describe('dispatchedSliceName', () => {
  it('keeps Karmada\'s "<provider>-<slice>" when that is a valid name', () => {
    assert.equal(dispatchedSliceName('member1', 'nginx-7xk2p'), 'member1-nginx-7xk2p');
  });

  it('keeps a plain name of exactly 253 characters', () => {
    const slice = 'a'.repeat(MAX_SLICE_NAME_LENGTH - 'member1-'.length);
    assert.equal(dispatchedSliceName('member1', slice), `member1-${slice}`);
  });

  const hashedCases: { name: string; provider: string; slice: string }[] = [
    { name: 'one character over 253', provider: 'member1', slice: 'a'.repeat(246) },
    { name: 'far over 253 with dots', provider: 'member1', slice: `${'x'.repeat(120)}.${'y'.repeat(200)}` },
    { name: 'a provider name that is no DNS label', provider: 'Admin@Cluster_1', slice: 'nginx-abc' },
    { name: 'a provider name that is only punctuation', provider: '@@', slice: '' },
  ];
  for (const c of hashedCases) {
    it(`shortens to a valid subdomain with a hash for ${c.name}`, () => {
      const got = dispatchedSliceName(c.provider, c.slice);
      assert.ok(got.length <= MAX_SLICE_NAME_LENGTH, `${got.length} characters`);
      assert.ok(isDnsSubdomain(got), got);
      assert.match(got, HASHED);
      assert.equal(dispatchedSliceName(c.provider, c.slice), got, 'not deterministic');
    });
  }

  it('gives different names to long names that differ only past the cut', () => {
    const a = dispatchedSliceName('member1', `${'s'.repeat(260)}-1`);
    const b = dispatchedSliceName('member1', `${'s'.repeat(260)}-2`);
    assert.notEqual(a, b);
    assert.equal(a.slice(0, -16), b.slice(0, -16));
  });

  it('separates the pairs whose plain names collide when asked to hash', () => {
    assert.equal(dispatchedSliceName('a', 'b-c'), dispatchedSliceName('a-b', 'c'));
    const x = dispatchedSliceName('a', 'b-c', { forceHash: true });
    const y = dispatchedSliceName('a-b', 'c', { forceHash: true });
    assert.notEqual(x, y);
    assert.match(x, /^a-b-c-[0-9a-f]{16}$/);
  });
});

describe('isDnsSubdomain', () => {
  const cases: [string, boolean][] = [
    ['member1-nginx-abc', true],
    ['a.b-c.d', true],
    ['0abc', true],
    ['', false],
    ['-abc', false],
    ['abc-', false],
    ['a..b', false],
    ['a.-b', false],
    ['Abc', false],
    ['a_b', false],
    ['a'.repeat(253), true],
    ['a'.repeat(254), false],
  ];
  for (const [name, valid] of cases) {
    it(`says ${JSON.stringify(name.length > 20 ? `${name.slice(0, 8)}…(${name.length})` : name)} is ${valid ? '' : 'not '}valid`, () => {
      assert.equal(isDnsSubdomain(name), valid);
    });
  }
});

describe('the MCS API names', () => {
  it('names the backing Service clusterset-<svc>, never derived-<svc> (Karmada’s)', () => {
    assert.equal(backingServiceName('nginx'), 'clusterset-nginx');
  });

  it('shortens a backing Service name past 63 characters to a DNS label with a hash', () => {
    const long = 'a'.repeat(60);
    const got = backingServiceName(long);
    assert.ok(got.length <= 63, got);
    assert.match(got, /^clusterset-a+-[0-9a-f]{10}$/);
    assert.notEqual(got, backingServiceName(`${'a'.repeat(59)}b`));
  });

  it('names the copies behind it apart from the MultiClusterService copies', () => {
    assert.equal(importSliceName('member1', 'nginx-abc'), 'clusterset-member1-nginx-abc');
    assert.notEqual(importSliceName('member1', 'nginx-abc'), dispatchedSliceName('member1', 'nginx-abc'));
  });

  const keys: [string, string, { namespace: string; name: string } | undefined][] = [
    [
      'reads back the exported Service of an export key',
      exportKey('default', 'nginx'),
      { namespace: 'default', name: 'nginx' },
    ],
    ['takes an MCS key for none', 'default/nginx', undefined],
    ['takes a malformed export key for none', 'export:nginx', undefined],
  ];
  for (const [name, key, want] of keys) it(name, () => assert.deepEqual(exportKeyOf(key), want));
});
