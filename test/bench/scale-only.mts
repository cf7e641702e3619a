import path from 'node:path';
import { ensureCrd } from '../e2e/harness/syncer.ts';
import { REPO_ROOT, Sandbox } from '../sandbox/sandbox.ts';
import { scale } from './syncer/scale.ts';

const DIR = path.join(REPO_ROOT, '.sandbox/bench');
await Sandbox.down({ dir: DIR, log: () => {} });
const sb = await Sandbox.up({ dir: DIR, basePort: 17600, extraMembers: ['member3'], log: () => {} });
await ensureCrd(sb);
const r = await scale(sb, Number(process.argv[2] ?? 1000), Number(process.argv[3] ?? 5), (s) =>
  console.log(s),
);
console.log(JSON.stringify(r));
await Sandbox.down({ dir: DIR, log: () => {} });
