/**
 * A share of the fuzzer's cases through the real HTTPS server (TLS on a loopback socket, kept-alive
 * connections as the API server keeps them), and what only a socket can send: broken HTTP, a
 * body shorter than its Content-Length, a client that stops mid-request, a connection cut
 * mid-body. After all of it the server still answers.
 */
import assert from 'node:assert/strict';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import { ROUTES } from '../../../webhook/app.ts';
import { tlsOptions } from '../../../webhook/tls/server.ts';
import { reliabilityCase } from '../../reliability/case.ts';
import { admissionRequest, review } from './fixtures.ts';
import { fuzz, fuzzApp, loopbackCertificate } from './fuzz-harness.ts';
import { type FuzzCase, fuzzRuns, fuzzSeed } from './fuzz-inputs.ts';
import { ANSWER_DEADLINE_MS, type Answer } from './fuzz-oracle.ts';

/** Shortened from 30 s so a stalled client is seen cut off within the test. */
const REQUEST_TIMEOUT_MS = 1_000;

describe('the webhook under a fuzzer, over HTTPS', () => {
  let server: ReturnType<typeof fuzzApp>['app'];
  let port = 0;
  let ca = '';
  let agent: https.Agent;

  before(async () => {
    const cert = await loopbackCertificate();
    ca = cert.caCert;
    server = fuzzApp({
      https: { ...tlsOptions(cert.pair), connectionsCheckingInterval: 100 },
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    }).app;
    await server.listen({ port: 0, host: '127.0.0.1' });
    port = (server.server.address() as AddressInfo).port;
    agent = new https.Agent({ keepAlive: true, maxSockets: 4, ca });
  });
  after(async () => {
    agent?.destroy();
    await server?.close();
  });

  /** One request through the agent; the answer and how long it took. */
  function send(c: FuzzCase): Promise<Answer> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { 'content-length': c.body.length };
      if (typeof c.body === 'string') headers['content-length'] = Buffer.byteLength(c.body);
      if (c.contentType !== undefined) headers['content-type'] = c.contentType;
      const req = https.request(
        { host: '127.0.0.1', port, path: c.url, method: 'POST', agent, headers, timeout: ANSWER_DEADLINE_MS },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            body += chunk;
          });
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, body, ms: performance.now() - started }),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${ANSWER_DEADLINE_MS} ms`)));
      req.on('error', reject);
      req.end(c.body);
    });
  }

  /** Writes raw bytes on a new TLS connection; resolves with everything read until it closes. */
  function raw(bytes: string, opts: { endAfterWrite?: boolean; waitMs?: number } = {}): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca }, () => {
        socket.write(bytes);
        if (opts.endAfterWrite) socket.end();
      });
      let read = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        read += chunk;
      });
      const timer = setTimeout(() => socket.destroy(), opts.waitMs ?? ANSWER_DEADLINE_MS);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(read);
      });
      socket.on('error', reject);
    });
  }

  it('answers every generated request in time over TLS, with an AdmissionReview echoing the uid or a 4xx with a message', {
    timeout: 180_000,
  }, async () => {
    const tag = reliabilityCase(
      'Bad input',
      'Webhook fuzzed over HTTPS (real socket, TLS, keep-alive)',
      'A share of the generated requests through the real HTTPS server: the same answers as in process, nothing hangs',
    );
    const seed = fuzzSeed() + 7;
    const runs = fuzzRuns(1_000);
    const started = performance.now();
    await fuzz(send, { seed, runs });
    tag.figures = `${runs.toLocaleString('en')} cases (seed ${seed}) in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  });

  const broken = [
    { name: 'a request line that is not HTTP', bytes: 'HELLO\r\n\r\n', status: /^HTTP\/1\.1 400 / },
    {
      name: 'a header without a colon',
      bytes: `POST ${ROUTES.validate} HTTP/1.1\r\nHost: x\r\nbroken header\r\n\r\n`,
      status: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'a Content-Length that is not a number',
      bytes: `POST ${ROUTES.validate} HTTP/1.1\r\nHost: x\r\nContent-Length: many\r\n\r\n{}`,
      status: /^HTTP\/1\.1 400 /,
    },
    {
      name: 'a chunked body with a bad chunk size',
      bytes: `POST ${ROUTES.validate} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      status: /^HTTP\/1\.1 400 /,
    },
  ];
  for (const b of broken) {
    it(`answers ${b.name} with a 400 and closes the connection`, async () => {
      const read = await raw(b.bytes);
      assert.match(read, b.status, `got ${JSON.stringify(read.slice(0, 200))}`);
    });
  }

  it('cuts off a client that stops mid-body once the request timeout is over (408)', async () => {
    reliabilityCase(
      'Bad input',
      'Webhook: a client that stalls mid-request',
      'A request that sends half its body and stops is answered 408 and its connection closed after the request timeout (30 s in production, not the 0 = never of Fastify)',
    );
    const started = performance.now();
    const read = await raw(
      `POST ${ROUTES.validate} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"kind":`,
      { waitMs: REQUEST_TIMEOUT_MS * 5 },
    );
    const ms = performance.now() - started;
    assert.match(read, /^HTTP\/1\.1 408 /, `got ${JSON.stringify(read.slice(0, 200))}`);
    assert.ok(ms < REQUEST_TIMEOUT_MS * 3, `cut off after ${Math.round(ms)} ms`);
  });

  it('survives connections cut mid-body and mid-handshake, then answers a good review', async () => {
    const head = `POST ${ROUTES.mutate} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n`;
    await Promise.all([
      raw(`${head}{"apiVersion":"admission.k8s.io/v1",`, { endAfterWrite: true }),
      raw(head, { waitMs: 50 }),
      new Promise<void>((resolve) => {
        const s = tls.connect({ host: '127.0.0.1', port, ca });
        s.on('error', () => resolve());
        s.on('close', () => resolve());
        setImmediate(() => s.destroy());
      }),
    ]);
    const body = JSON.stringify(review(admissionRequest()));
    const answer = await send({ url: ROUTES.validate, body, contentType: 'application/json' });
    assert.equal(answer.status, 200);
    assert.equal(JSON.parse(answer.body).response.uid, admissionRequest().uid);
  });
});
