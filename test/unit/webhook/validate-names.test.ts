import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isDNS1035Label,
  isDNS1123Label,
  isValidPortNum,
  validateClusterName,
} from '../../../webhook/rules/validate-names.ts';
import { DNS1035_LABEL_MSG, DNS1123_LABEL_MSG } from './fixtures.ts';

const cases: { name: string; check: (v: string) => string[]; value: string; errors: string[] }[] = [
  { name: 'an RFC 1123 label may start with a digit', check: isDNS1123Label, value: '123-abc', errors: [] },
  {
    name: 'an RFC 1123 label may be 63 characters',
    check: isDNS1123Label,
    value: 'a'.repeat(63),
    errors: [],
  },
  {
    name: 'an RFC 1123 label may not end with a dash',
    check: isDNS1123Label,
    value: 'abc-',
    errors: [DNS1123_LABEL_MSG],
  },
  {
    name: 'an RFC 1123 label of 64 valid characters fails on length only',
    check: isDNS1123Label,
    value: 'a'.repeat(64),
    errors: ['must be no more than 63 characters'],
  },
  {
    name: 'an RFC 1123 label that is long and invalid fails on both counts',
    check: isDNS1123Label,
    value: `${'a'.repeat(64)}_`,
    errors: ['must be no more than 63 characters', DNS1123_LABEL_MSG],
  },
  {
    name: 'an RFC 1123 label that is a valid subdomain is only told about its dots',
    check: isDNS1123Label,
    value: 'a.b',
    errors: ['must not contain dots'],
  },
  {
    name: 'an RFC 1035 label must start with a letter',
    check: isDNS1035Label,
    value: '1abc',
    errors: [DNS1035_LABEL_MSG],
  },
  { name: 'an RFC 1035 label may contain digits after', check: isDNS1035Label, value: 'abc-123', errors: [] },
  {
    name: 'an RFC 1035 label may not contain dots',
    check: isDNS1035Label,
    value: 'a.b',
    errors: [DNS1035_LABEL_MSG],
  },
  {
    name: 'a cluster name may not be empty',
    check: validateClusterName,
    value: '',
    errors: ['must be not empty'],
  },
  {
    name: 'a cluster name is measured in bytes, as Go does',
    check: validateClusterName,
    value: 'é'.repeat(25),
    errors: ['must be no more than 48 characters'],
  },
  {
    name: 'a cluster name over 48 characters is told only about its length',
    check: validateClusterName,
    value: 'A'.repeat(49),
    errors: ['must be no more than 48 characters'],
  },
  {
    name: 'a cluster name must be an RFC 1123 label',
    check: validateClusterName,
    value: 'm_1',
    errors: [DNS1123_LABEL_MSG],
  },
];

describe('name rules', () => {
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(c.check(c.value), c.errors));
  }
});

describe('port numbers', () => {
  for (const [port, ok] of [
    [0, false],
    [1, true],
    [65535, true],
    [65536, false],
    [-80, false],
  ] as const) {
    it(`${ok ? 'accepts' : 'refuses'} port ${port}`, () => {
      assert.deepEqual(isValidPortNum(port), ok ? [] : ['must be between 1 and 65535, inclusive']);
    });
  }
});
