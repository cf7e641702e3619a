import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { STARTUP_NODE_FLAGS } from '../../../syncer/gc-tuning.ts';
import { REPO_ROOT } from '../../sandbox/sandbox.ts';
import { programNodeFlags, shebangNodeFlags } from '../../sandbox/shebang.ts';

describe('the Node flags of a program’s #! line', () => {
  for (const [name, line, expected] of [
    ['are none for a plain node line', '#!/usr/bin/env node', []],
    [
      'are those after node with env -S',
      '#!/usr/bin/env -S node --max-semi-space-size=4',
      ['--max-semi-space-size=4'],
    ],
    [
      'are all of several, in order',
      '#!/usr/bin/env -S node --max-semi-space-size=4  --enable-source-maps ',
      ['--max-semi-space-size=4', '--enable-source-maps'],
    ],
    ['are none for another interpreter', '#!/usr/bin/env -S deno --allow-net', []],
    ['are none for a line that is not a #! line', '/** a comment */', []],
  ] as const) {
    it(name, () => assert.deepEqual(shebangNodeFlags(line), [...expected]));
  }

  it('of the syncer are the startup flags gc-tuning.ts explains', () => {
    assert.deepEqual(programNodeFlags(path.join(REPO_ROOT, 'syncer/main.ts')), [...STARTUP_NODE_FLAGS]);
  });
});
