import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gcFlags, HEAP_GROWING_PERCENT } from '../../../syncer/gc-tuning.ts';

describe("the syncer's heap growth", () => {
  const ours = [`--heap-growing-percent=${HEAP_GROWING_PERCENT}`];
  for (const [name, execArgv, nodeOptions, expected] of [
    ['sets the growing factor when Node was started plainly', [], undefined, ours],
    [
      'keeps it beside unrelated Node flags',
      ['--enable-source-maps', '--import', 'tsx'],
      '--trace-warnings',
      ours,
    ],
    ['leaves a growing factor given on the command line alone', ['--heap-growing-percent=20'], undefined, []],
    ['leaves a heap limit given on the command line alone', ['--max-old-space-size=512'], undefined, []],
    ['leaves a heap limit given in NODE_OPTIONS alone', [], '--inspect --max_old_space_size=256', []],
    ['leaves a whole-heap limit alone', ['--max-heap-size=400'], undefined, []],
    [
      'is not fooled by a flag that only starts the same way',
      ['--max-old-space-size-percentage=50'],
      undefined,
      ours,
    ],
  ] as const) {
    it(name, () => {
      assert.deepEqual(gcFlags(execArgv, nodeOptions), expected);
    });
  }
});
