import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const DAY = 24 * 60 * 60 * 1000;

/** Runs mcs-bridge-certs from source; never throws on a non-zero exit. */
function certs(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(REPO, 'certs/main.ts'), ...args],
      { cwd: REPO },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'mcs-certs-cli-'));
});
after(() => rm(dir, { recursive: true, force: true }));

describe('mcs-bridge-certs', () => {
  it('writes a CA and a serving certificate to --out-dir and prints the caBundle', async () => {
    const out = path.join(dir, 'out');
    const started = Date.now();
    const args = ['--service', 'webhook', '--namespace', 'mcs-system', '--host', 'webhook.example.com'];
    const run = await certs([
      ...args,
      '--ip',
      '127.0.0.1',
      '--days',
      '30',
      '--key-type',
      'ecdsa',
      '--out-dir',
      out,
    ]);
    assert.equal(run.code, 0, run.stderr);
    const read = (f: string) => readFile(path.join(out, f), 'utf8');
    const caPem = await read('ca.crt');
    assert.equal(run.stdout, `${Buffer.from(caPem).toString('base64')}\n`, 'stdout is the caBundle alone');
    assert.match(run.stderr, /^wrote .*ca\.crt, .*ca\.key, .*tls\.crt, .*tls\.key \(valid until \d{4}-/);
    const ca = new X509Certificate(caPem);
    const cert = new X509Certificate(await read('tls.crt'));
    assert.ok(cert.checkIssued(ca) && cert.verify(ca.publicKey));
    assert.equal(cert.publicKey.asymmetricKeyType, 'ec');
    assert.equal(
      cert.subjectAltName,
      'DNS:webhook, DNS:webhook.mcs-system, DNS:webhook.mcs-system.svc, DNS:webhook.mcs-system.svc.cluster.local, DNS:webhook.example.com, IP Address:127.0.0.1',
    );
    const validTo = new Date(cert.validTo).getTime();
    assert.ok(Math.abs(validTo - (started + 30 * DAY)) < 60_000, `valid until ${cert.validTo}`);
    for (const key of ['ca.key', 'tls.key'])
      assert.equal((await stat(path.join(out, key))).mode & 0o777, 0o600);
  });

  it('answers --help with the usage on stdout', async () => {
    const run = await certs(['--help']);
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage:\n {2}mcs-bridge-certs --service NAME --namespace NS --out-dir DIR/);
    for (const flag of [
      '--host',
      '--ip',
      '--days',
      '--key-type',
      '--kubeconfig',
      '--context',
      '--secret-name',
    ]) {
      assert.ok(run.stdout.includes(flag), flag);
    }
  });

  it('exits 2 on bad input, naming the flag and pointing to --help', async () => {
    const run = await certs(['--service', 'webhook', '--namespace', 'ns', '--out-dir', dir, '--days', 'ten']);
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `mcs-bridge-certs: --days: must be a whole number of days, got "ten"\nRun 'mcs-bridge-certs --help' for usage.\n`,
    );
    assert.equal(run.stdout, '');
  });

  it('exits 2 naming --kubeconfig when the file cannot be read', async () => {
    const run = await certs([
      '--service',
      'webhook',
      '--namespace',
      'ns',
      '--kubeconfig',
      path.join(dir, 'missing'),
    ]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^mcs-bridge-certs: --kubeconfig: cannot load .*missing: ENOENT/);
  });

  it('exits 2 naming --context when the kubeconfig has no such context', async () => {
    const kubeconfig = path.join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigFor('https://127.0.0.1:1'));
    const run = await certs([
      '--service',
      'webhook',
      '--namespace',
      'ns',
      '--kubeconfig',
      kubeconfig,
      '--context',
      'nope',
    ]);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /^mcs-bridge-certs: --context: no context "nope" in .*kubeconfig \(it has: test\)/,
    );
  });

  it('exits 1 naming the Secret when the API server cannot be reached', async () => {
    const kubeconfig = path.join(dir, 'unreachable');
    // A port nothing listens on (fetch refuses port 1 and other "bad ports" before connecting).
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    await writeFile(kubeconfig, kubeconfigFor(`https://127.0.0.1:${port}`));
    const run = await certs(['--service', 'webhook', '--namespace', 'ns', '--kubeconfig', kubeconfig]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^mcs-bridge-certs: failed to read Secret ns\/webhook-tls: .*ECONNREFUSED/);
    assert.equal(run.stdout, '');
  });
});

function kubeconfigFor(server: string): string {
  return `apiVersion: v1
kind: Config
clusters: [{name: test, cluster: {server: "${server}", insecure-skip-tls-verify: true}}]
users: [{name: test, user: {token: unused}}]
contexts: [{name: test, context: {cluster: test, user: test}}]
current-context: test
`;
}
