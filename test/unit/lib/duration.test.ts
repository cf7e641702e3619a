import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../../lib/duration.ts';

describe('durations on the command line', () => {
  const good: Array<[string, number]> = [
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1.5s', 1_500],
    ['0', 0],
    ['0s', 0],
  ];
  for (const [text, ms] of good) {
    it(`reads ${text} as ${ms} ms`, () => assert.equal(parseDuration(text, '--x'), ms));
  }

  for (const text of ['', '10', '5 m', 's', '1d', '-5s', '5s!', 'ten seconds']) {
    it(`refuses '${text}', naming the flag and showing examples`, () => {
      assert.throws(() => parseDuration(text, '--resync-period'), {
        message: `--resync-period: '${text}' is not a duration (examples: 500ms, 30s, 5m, 1h, 1m30s)`,
      });
    });
  }
});

describe('durations in messages', () => {
  const cases: Array<[number, string]> = [
    [250, '250ms'],
    [1_000, '1s'],
    [1_500, '1.5s'],
    [30_000, '30s'],
    [600_000, '600s'],
  ];
  for (const [ms, text] of cases) {
    it(`writes ${ms} ms as ${text}, which the flags read back`, () => {
      assert.equal(formatDuration(ms), text);
      assert.equal(parseDuration(text, '--x'), ms);
    });
  }
});
