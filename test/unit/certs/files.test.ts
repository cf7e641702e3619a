import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeCertificateFiles } from '../../../certs/files.ts';
import type { CertificateBundle } from '../../../certs/generate.ts';
import { fixtureBundle } from './fixtures.ts';

let dir: string;
let bundle: CertificateBundle;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mcs-certs-files-'));
  bundle = await fixtureBundle();
});
after(() => rm(dir, { recursive: true, force: true }));

async function modeOf(file: string): Promise<number> {
  return (await stat(file)).mode & 0o777;
}

describe('writeCertificateFiles', () => {
  it('writes the four PEM files into a new directory, keys readable by their owner only', async () => {
    const out = path.join(dir, 'new', 'nested');
    const written = await writeCertificateFiles(out, bundle);
    assert.deepEqual(
      written,
      ['ca.crt', 'ca.key', 'tls.crt', 'tls.key'].map((f) => path.join(out, f)),
    );
    assert.deepEqual((await readdir(out)).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    assert.equal(await readFile(path.join(out, 'tls.crt'), 'utf8'), bundle.cert);
    assert.equal(await readFile(path.join(out, 'ca.key'), 'utf8'), bundle.caKey);
    assert.equal(await modeOf(path.join(out, 'tls.key')), 0o600);
    assert.equal(await modeOf(path.join(out, 'ca.key')), 0o600);
    assert.equal(await modeOf(path.join(out, 'tls.crt')), 0o644);
  });

  it('replaces a world-readable key with one only its owner can read, leaving no temporary file', async () => {
    const out = path.join(dir, 'existing');
    await writeCertificateFiles(out, bundle);
    await writeFile(path.join(out, 'tls.key'), 'old', { mode: 0o644 });
    await writeCertificateFiles(out, bundle);
    assert.equal(await readFile(path.join(out, 'tls.key'), 'utf8'), bundle.key);
    assert.equal(await modeOf(path.join(out, 'tls.key')), 0o600);
    assert.deepEqual((await readdir(out)).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
  });

  it('says which path it could not write', async () => {
    const file = path.join(dir, 'a-file');
    await writeFile(file, '');
    await assert.rejects(
      writeCertificateFiles(path.join(file, 'sub'), bundle),
      /^Error: failed to create directory .*a-file\/sub: /,
    );
  });
});
