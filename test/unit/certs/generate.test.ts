import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { generateCA, generateCertificates, issueServingCertificate } from '../../../certs/generate.ts';
import { DAY, daysAfterT0, fixtureBundle, REQUEST, T0 } from './fixtures.ts';

const HOUR = 60 * 60 * 1000;

// The DER of the signature algorithm OIDs: sha256WithRSAEncryption and ecdsa-with-SHA256.
const SHA256_WITH_RSA = Buffer.from('06092a864886f70d01010b', 'hex');
const ECDSA_WITH_SHA256 = Buffer.from('06082a8648ce3d040302', 'hex');

/** The serverAuth extended key usage. */
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

describe('generateCertificates', () => {
  for (const { keyType, name, algorithm, key } of [
    { keyType: 'rsa', name: 'an RSA 2048', algorithm: SHA256_WITH_RSA, key: { modulusLength: 2048 } },
    {
      keyType: 'ecdsa',
      name: 'an ECDSA P-256',
      algorithm: ECDSA_WITH_SHA256,
      key: { namedCurve: 'prime256v1' },
    },
  ] as const) {
    it(`issues ${name} serving certificate signed by a new CA of the same type with sha256`, async () => {
      const bundle = await generateCertificates({ ...REQUEST, keyType, now: T0 });
      const ca = new X509Certificate(bundle.caCert);
      const cert = new X509Certificate(bundle.cert);
      assert.ok(ca.ca, 'the CA certificate is a CA');
      assert.ok(!cert.ca, 'the serving certificate is not a CA');
      assert.ok(cert.checkIssued(ca), 'the serving certificate names the CA as issuer');
      assert.ok(cert.verify(ca.publicKey), 'the CA signature verifies');
      assert.ok(ca.verify(ca.publicKey), 'the CA is self-signed');
      assert.ok(cert.checkPrivateKey(createPrivateKey(bundle.key)));
      assert.ok(ca.checkPrivateKey(createPrivateKey(bundle.caKey)));
      assert.ok(cert.raw.includes(algorithm), 'signed with sha256');
      assert.ok(ca.raw.includes(algorithm), 'CA signed with sha256');
      for (const [k, v] of Object.entries(key)) {
        assert.equal(cert.publicKey.asymmetricKeyDetails?.[k as keyof typeof key], v);
        assert.equal(ca.publicKey.asymmetricKeyDetails?.[k as keyof typeof key], v);
      }
      assert.deepEqual(cert.keyUsage, [SERVER_AUTH]);
    });
  }

  it('puts the four Service names, the extra hosts and the IPs in the SANs', async () => {
    const cert = new X509Certificate((await fixtureBundle()).cert);
    assert.equal(
      cert.subjectAltName,
      [
        'DNS:mcs-bridge-webhook',
        'DNS:mcs-bridge-webhook.mcs-system',
        'DNS:mcs-bridge-webhook.mcs-system.svc',
        'DNS:mcs-bridge-webhook.mcs-system.svc.cluster.local',
        'DNS:webhook.example.com',
        'IP Address:127.0.0.1',
        'IP Address:0:0:0:0:0:0:0:1',
      ].join(', '),
    );
    assert.equal(cert.subject, 'CN=mcs-bridge-webhook.mcs-system.svc');
  });

  it('makes the serving certificate valid from an hour before now for the given days', async () => {
    const cert = new X509Certificate((await fixtureBundle()).cert);
    assert.equal(new Date(cert.validFrom).getTime(), T0.getTime() - HOUR);
    assert.equal(new Date(cert.validTo).getTime(), daysAfterT0(90).getTime());
  });

  it('makes the CA valid for caDays', async () => {
    const ca = new X509Certificate((await fixtureBundle()).caCert);
    assert.equal(new Date(ca.validTo).getTime(), daysAfterT0(3650).getTime());
    assert.match(ca.subject, /^CN=mcs-bridge-ca@\d+$/);
  });

  it('signs with a given CA instead of creating one', async () => {
    const first = await fixtureBundle();
    const again = await generateCertificates({
      ...REQUEST,
      now: daysAfterT0(70),
      ca: { cert: first.caCert, key: first.caKey },
    });
    assert.equal(again.caCert, first.caCert);
    assert.equal(again.caKey, first.caKey);
    assert.notEqual(again.cert, first.cert);
    assert.ok(new X509Certificate(again.cert).checkIssued(new X509Certificate(first.caCert)));
  });

  it('never lets the serving certificate outlive its CA', async () => {
    const ca = await generateCA({ keyType: 'ecdsa', days: 10, now: T0 });
    const serving = await issueServingCertificate(ca, { ...REQUEST, days: 365 }, T0);
    assert.equal(new Date(new X509Certificate(serving.cert).validTo).getTime(), T0.getTime() + 10 * DAY);
  });

  it('refuses to sign with a CA key of another type, saying which', async () => {
    const { caCert, caKey } = await fixtureBundle();
    await assert.rejects(
      issueServingCertificate({ cert: caCert, key: caKey }, { ...REQUEST, keyType: 'rsa' }, T0),
      /cannot sign a rsa certificate with a ecdsa CA key/,
    );
  });

  it('rejects an invalid request naming every bad field at once', async () => {
    await assert.rejects(
      generateCertificates({
        service: 'Web_hook',
        namespace: 'ns',
        hosts: ['ok.example.com', 'bad host'],
        ips: ['300.1.1.1'],
        days: 0,
        now: T0,
      }),
      (err: Error) => {
        assert.match(err.message, /^invalid certificate request: /);
        for (const field of ['service:', 'hosts\\[1\\]:', 'ips\\[0\\]:', 'days:']) {
          assert.match(err.message, new RegExp(field));
        }
        assert.doesNotMatch(err.message, /hosts\[0\]/);
        return true;
      },
    );
  });
});
