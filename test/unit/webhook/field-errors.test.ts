import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  aggregateMessage,
  duplicate,
  fieldPath,
  formatFieldError,
  invalid,
  required,
  typeInvalid,
} from '../../../webhook/go-render/field-errors.ts';
import { MESSAGE_CASES } from './go-render-cases.ts';

describe('field errors', () => {
  it('builds Kubernetes field paths with indexes in brackets', () => {
    assert.equal(fieldPath('spec', 'ports', 1, 'name'), 'spec.ports[1].name');
  });

  const formats = [
    {
      name: 'an invalid string is quoted',
      error: invalid('metadata.name', 'A', 'bad'),
      text: 'metadata.name: Invalid value: "A": bad',
    },
    {
      name: 'an invalid number is bare',
      error: invalid('spec.ports[0].port', 0, 'bad'),
      text: 'spec.ports[0].port: Invalid value: 0: bad',
    },
    {
      name: 'an invalid list is JSON',
      error: invalid('spec.types', ['A', 'B'], 'bad'),
      text: 'spec.types: Invalid value: ["A","B"]: bad',
    },
    {
      name: 'a duplicate has no detail',
      error: duplicate('spec.ports[1].name', 'http'),
      text: 'spec.ports[1].name: Duplicate value: "http"',
    },
    {
      name: 'a required value shows no value',
      error: required('spec.ports[0].port'),
      text: 'spec.ports[0].port: Required value',
    },
    {
      name: 'a type error reads as an invalid value',
      error: typeInvalid('spec.ports[0].port', '80', 'must be of type integer'),
      text: 'spec.ports[0].port: Invalid value: "80": must be of type integer',
    },
  ];
  for (const f of formats) it(f.name, () => assert.equal(formatFieldError(f.error), f.text));

  it('joins one error bare, as apimachinery’s aggregate', () => {
    assert.equal(aggregateMessage([required('a')]), 'a: Required value');
  });

  it('joins several errors in brackets, without repeats', () => {
    assert.equal(
      aggregateMessage([required('a'), required('b'), required('a')]),
      '[a: Required value, b: Required value]',
    );
  });
});

describe('bad values in messages, as apimachinery renders them', () => {
  for (const c of MESSAGE_CASES) {
    it(c.name, () =>
      assert.equal(formatFieldError(invalid('spec.ports[0].port', c.value, 'must be an integer')), c.message),
    );
  }

  it('a string of a million characters is cut, with its length', () => {
    assert.match(
      formatFieldError(invalid('metadata.name', 'a'.repeat(1e6), 'too long')),
      /^metadata\.name: Invalid value: "a{255}\.\.\. \(1000002 characters\): too long$/,
    );
  });

  it('a list of a million names is cut, and says it was longer', () => {
    assert.match(
      formatFieldError(invalid('spec.types', Array(1e6).fill('CrossCluster'), 'bad')),
      /^spec\.types: Invalid value: \["CrossCluster",.{200,}\.\.\. \(more than 256 characters\): bad$/,
    );
  });
});
