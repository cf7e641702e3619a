import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { REDACTED, redactingLoggerOptions, SecretScrubber } from '../../../lib/log-redaction.ts';

const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  .privateKey.export({ type: 'pkcs8', format: 'pem' })
  .toString();
const RSA_PEM = generateKeyPairSync('rsa', { modulusLength: 1024 })
  .privateKey.export({ type: 'pkcs1', format: 'pem' })
  .toString();
const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6eCJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
const STATIC_TOKEN = '3f9a1c0de44b8a71c2f0';

/** A logger as the webhook makes it, writing its lines into an array. */
function capture(scrubber = new SecretScrubber()) {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: pino(redactingLoggerOptions({ level: 'trace' }, scrubber), sink), lines, scrubber };
}

describe('log redaction', () => {
  const fields: { name: string; log: object }[] = [
    { name: 'a token field', log: { token: STATIC_TOKEN } },
    { name: 'a token one level down', log: { user: { token: STATIC_TOKEN } } },
    {
      name: 'an Authorization header',
      log: { req: { headers: { authorization: `Basic ${STATIC_TOKEN}` } } },
    },
    { name: 'a key field', log: { tls: { key: STATIC_TOKEN } } },
    { name: "a Secret's data", log: { secret: { data: { 'tls.key': STATIC_TOKEN } } } },
  ];
  for (const f of fields) {
    it(`blanks ${f.name}`, () => {
      const { logger, lines } = capture();
      logger.info(f.log, 'something happened');
      assert.doesNotMatch(lines.join(''), new RegExp(STATIC_TOKEN));
      assert.match(lines.join(''), /\[REDACTED\]/);
    });
  }

  const texts: { name: string; secret: string; message: (s: string) => string }[] = [
    { name: 'a PKCS#8 private key in a message', secret: PEM, message: (s) => `loaded ${s}` },
    { name: 'a PKCS#1 RSA key in an error', secret: RSA_PEM, message: (s) => `failed: ${s} is wrong` },
    { name: 'a ServiceAccount token', secret: JWT, message: (s) => `server said: invalid token ${s}` },
    {
      name: 'a Bearer credential',
      secret: STATIC_TOKEN,
      message: (s) => `header was Authorization: Bearer ${s}`,
    },
  ];
  for (const t of texts) {
    it(`scrubs ${t.name}, whatever field carries it`, () => {
      const { logger, lines } = capture();
      logger.error({ err: new Error(t.message(t.secret)) }, t.message(t.secret));
      const out = lines.join('');
      const body = t.secret.split('\n').find((l) => l.length > 40) ?? t.secret;
      assert.ok(!out.includes(body), `the secret is gone from ${out}`);
      assert.ok(out.includes(REDACTED));
    });
  }

  it('scrubs the exact credentials of a kubeconfig, where no pattern would see them', () => {
    const { logger, lines, scrubber } = capture();
    scrubber.addKubeconfigUsers([
      { token: STATIC_TOKEN },
      { password: 'hunter2hunter2' },
      { authProvider: { config: { 'access-token': 'opaque-access-token', 'cmd-path': '/bin/gcloud' } } },
    ]);
    logger.warn(`the API said ${STATIC_TOKEN} hunter2hunter2 opaque-access-token is unknown (/bin/gcloud)`);
    assert.equal(
      JSON.parse(lines[0] ?? '{}').msg,
      `the API said ${REDACTED} ${REDACTED} ${REDACTED} is unknown (/bin/gcloud)`,
    );
  });

  it('leaves alone what is no secret', () => {
    const { logger, lines } = capture();
    logger.info({ secret: 'mcs-system/mcs-bridge-tls', certFile: '/tls/tls.crt' }, 'certificate in place');
    const line = JSON.parse(lines[0] ?? '{}');
    assert.equal(line.secret, 'mcs-system/mcs-bridge-tls');
    assert.equal(line.msg, 'certificate in place');
  });
});
