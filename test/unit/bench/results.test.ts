import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { machineInfo, recordResults } from '../../bench/results.ts';

describe('bench-results.json', () => {
  const dirs: string[] = [];
  const file = async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-results-'));
    dirs.push(dir);
    return path.join(dir, 'bench-results.json');
  };
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('is created with the one key when missing', async () => {
    const f = await file();
    await recordResults('webhook', { rps: 1 }, f);
    assert.deepEqual(JSON.parse(await readFile(f, 'utf8')), { webhook: { rps: 1 } });
  });

  it("keeps the other benchmarks' keys and replaces only its own", async () => {
    const f = await file();
    await writeFile(f, JSON.stringify({ syncer: { latency: 2 }, webhook: { rps: 1, old: true } }));
    await recordResults('webhook', { rps: 3 }, f);
    assert.deepEqual(JSON.parse(await readFile(f, 'utf8')), { syncer: { latency: 2 }, webhook: { rps: 3 } });
  });

  it('refuses to overwrite a file that is not a JSON object', async () => {
    const f = await file();
    await writeFile(f, '[1, 2]');
    await assert.rejects(recordResults('webhook', {}, f), /is not a JSON object; not overwriting it/);
    assert.equal(await readFile(f, 'utf8'), '[1, 2]');
  });

  it('names the machine: cores, Node version and date', () => {
    const info = machineInfo(new Date('2025-01-02T03:04:05Z'));
    assert.equal(info.date, '2025-01-02T03:04:05.000Z');
    assert.equal(info.node, process.version);
    assert.ok(info.cores >= 1);
  });
});
