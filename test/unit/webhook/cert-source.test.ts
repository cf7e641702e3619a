import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect, type TLSSocket } from 'node:tls';
import { Registry } from 'prom-client';
import { generate } from 'selfsigned';
import { createMutateHandler } from '../../../webhook/admission/handle-mutate.ts';
import { createValidateHandler } from '../../../webhook/admission/handle-validate.ts';
import { buildApp } from '../../../webhook/app.ts';
import { createWebhookMetrics } from '../../../webhook/metrics.ts';
import { createShapeCheck } from '../../../webhook/rules/validate-schema.ts';
import { CertificateSource, loadCertificatePair } from '../../../webhook/tls/cert-source.ts';
import { followCertificates, tlsOptions } from '../../../webhook/tls/server.ts';
import { admissionRequest, review, silentLogger } from './fixtures.ts';

interface Pem {
  cert: string;
  key: string;
  fingerprint: string;
}

async function selfSigned(cn: string): Promise<Pem> {
  const pems = await generate([{ name: 'commonName', value: cn }], {
    keyType: 'ec',
    algorithm: 'sha256',
    notAfterDate: new Date(Date.now() + 24 * 3600 * 1000),
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  return { cert: pems.cert, key: pems.private, fingerprint: new X509Certificate(pems.cert).fingerprint256 };
}

/** Resolves when predicate holds, polling; rejects after ms. */
async function eventually(predicate: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Opens a TLS connection and returns it with the fingerprint of the certificate served. */
async function handshake(port: number): Promise<{ socket: TLSSocket; fingerprint: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve({ socket, fingerprint: socket.getPeerX509Certificate()?.fingerprint256 ?? '' });
    });
    socket.once('error', reject);
  });
}

/** Sends one keep-alive HTTP request over an open socket and resolves with the status line. */
function requestOver(socket: TLSSocket): Promise<string> {
  const body = JSON.stringify(review(admissionRequest()));
  return new Promise((resolve) => {
    socket.once('data', (chunk: Buffer) => resolve(chunk.toString().split('\r\n')[0] ?? ''));
    socket.write(
      `POST /validate-multiclusterservice HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

describe('the serving certificate', () => {
  let dir = '';
  let a: Pem;
  let b: Pem;
  const certFile = () => join(dir, 'tls.crt');
  const keyFile = () => join(dir, 'tls.key');
  const write = async (pem: { cert: string; key: string }) => {
    await writeFile(certFile(), pem.cert);
    await writeFile(keyFile(), pem.key);
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcs-webhook-certs-'));
    [a, b] = await Promise.all([selfSigned('first'), selfSigned('second')]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('names both files when a pair does not load', async () => {
    await writeFile(join(dir, 'lonely.crt'), a.cert);
    await writeFile(join(dir, 'other.key'), b.key);
    await assert.rejects(loadCertificatePair(join(dir, 'lonely.crt'), join(dir, 'other.key')), (err: Error) =>
      err.message.startsWith(
        `failed to load the serving certificate from ${join(dir, 'lonely.crt')} and ${join(dir, 'other.key')}: `,
      ),
    );
  });

  it('is not ready until the files appear, then follows every change without a restart', async () => {
    const loads: string[] = [];
    const source = new CertificateSource({
      certFile: certFile(),
      keyFile: keyFile(),
      logger: silentLogger(),
      debounceMs: 20,
      pollIntervalMs: 0,
      onLoad: (result) => loads.push(result),
    });
    await source.start();
    assert.match(source.notReadyReason() ?? '', /^failed to load the serving certificate from .*tls\.crt/);

    await write(a);
    // The watcher does not keep the process alive (the servers do), so wait with a timer.
    let first: Awaited<ReturnType<typeof source.ready>> | undefined;
    void source.ready().then((pair) => {
      first = pair;
    });
    await eventually(() => first !== undefined, 'the first certificate');
    if (!first) throw new Error('unreachable');
    assert.equal(source.notReadyReason(), undefined);

    const shapeCheck = createShapeCheck();
    const app = buildApp({
      logger: silentLogger(),
      metrics: createWebhookMetrics(new Registry()),
      clock: { now: () => 0 },
      handlers: {
        validate: createValidateHandler({ shapeCheck }),
        mutate: createMutateHandler({ shapeCheck, newUuid: () => 'id' }),
      },
      https: tlsOptions(first),
    });
    followCertificates(app.server, source);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      const before = await handshake(port);
      assert.equal(before.fingerprint, a.fingerprint);

      await write(b);
      await eventually(() => source.current()?.cert === b.cert, 'the second certificate');
      const rotated = await handshake(port);
      assert.equal(rotated.fingerprint, b.fingerprint);
      rotated.socket.destroy();

      // The connection opened before the rotation is still served.
      assert.equal(await requestOver(before.socket), 'HTTP/1.1 200 OK');
      before.socket.destroy();

      // A key that does not match its certificate is refused; the last good pair stays.
      const failuresBefore = loads.filter((l) => l === 'failure').length;
      await writeFile(keyFile(), a.key);
      await eventually(() => loads.filter((l) => l === 'failure').length > failuresBefore, 'the failed load');
      assert.equal(source.current()?.cert, b.cert);
      assert.equal(source.notReadyReason(), undefined);
      const kept = await handshake(port);
      assert.equal(kept.fingerprint, b.fingerprint);
      kept.socket.destroy();
    } finally {
      source.stop();
      await app.close();
    }
  });

  it('stops following the files once stopped', async () => {
    await write(a);
    const source = new CertificateSource({
      certFile: certFile(),
      keyFile: keyFile(),
      logger: silentLogger(),
      debounceMs: 10,
    });
    await source.start();
    source.stop();
    await write(b);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(source.current()?.cert, a.cert);
  });

  it('finds a change by polling alone when file events are off', async () => {
    await write(b);
    const source = new CertificateSource({
      certFile: certFile(),
      keyFile: keyFile(),
      logger: silentLogger(),
      watch: false,
      pollIntervalMs: 30,
      debounceMs: 10,
    });
    await source.start();
    assert.equal(source.current()?.cert, b.cert);
    await write(a);
    await eventually(() => source.current()?.cert === a.cert, 'the polled certificate');
    source.stop();
  });
});
