import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { generate } from 'selfsigned';
import type { CertificateBundle } from '../../../certs/generate.ts';
import {
  caRenewalReason,
  needsRenewal,
  type RenewalExpectations,
  renewalReason,
} from '../../../certs/renewal.ts';
import { servingDnsNames } from '../../../certs/request.ts';
import { DAY, daysAfterT0, fixtureBundle, REQUEST, T0 } from './fixtures.ts';

const MINUTE = 60 * 1000;
const HOUR = 60 * MINUTE;

// The fixture is valid from T0 - 1h to T0 + 90d, so a third of its validity is 30d 20min and
// it is due for renewal from T0 + 59d 23h 40m on.
const RENEWAL_DUE = new Date(T0.getTime() + 59 * DAY + 23 * HOUR + 40 * MINUTE);

const WANTED_DNS = servingDnsNames(REQUEST.service, REQUEST.namespace, REQUEST.hosts);

let bundle: CertificateBundle;
let other: CertificateBundle;

before(async () => {
  bundle = await fixtureBundle();
  other = await fixtureBundle('other');
});

describe('needsRenewal over time', () => {
  const cases: { name: string; now: Date; renew: boolean; reason?: RegExp }[] = [
    { name: 'keeps a certificate that was just issued', now: T0, renew: false },
    {
      name: 'keeps a certificate half an hour before its issue time, as it was backdated an hour for clock skew',
      now: new Date(T0.getTime() - 30 * MINUTE),
      renew: false,
    },
    { name: 'keeps a certificate with two thirds of its validity left', now: daysAfterT0(29), renew: false },
    { name: 'keeps a certificate with exactly a third of its validity left', now: RENEWAL_DUE, renew: false },
    {
      name: 'renews a certificate with one second less than a third of its validity left',
      now: new Date(RENEWAL_DUE.getTime() + 1000),
      renew: true,
      reason: /^the certificate must be renewed: it expires at 2030-04-01T00:00:00.000Z, less than a third/,
    },
    {
      name: 'renews a certificate that expires tomorrow',
      now: daysAfterT0(89),
      renew: true,
      reason: /less than a third of its validity/,
    },
    {
      name: 'renews a certificate that has expired',
      now: daysAfterT0(90),
      renew: true,
      reason: /it expired at 2030-04-01T00:00:00.000Z$/,
    },
    {
      name: 'renews a certificate that is not valid yet, as the clock went back',
      now: new Date(T0.getTime() - 2 * HOUR),
      renew: true,
      reason: /it is not valid before 2029-12-31T23:00:00.000Z$/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.equal(needsRenewal(bundle.cert, c.now), c.renew);
      const reason = renewalReason(bundle.cert, c.now);
      if (c.reason) assert.match(reason ?? '', c.reason);
      else assert.equal(reason, undefined);
    });
  }
});

describe('renewalReason for what the certificate must match', () => {
  const cases: { name: string; cert?: () => string; expect: () => RenewalExpectations; reason?: RegExp }[] = [
    {
      name: 'keeps a certificate that covers every wanted name, with its key and CA',
      expect: () => ({
        keyPem: bundle.key,
        caPem: bundle.caCert,
        dnsNames: WANTED_DNS,
        ipAddresses: ['127.0.0.1', '::1'],
        keyType: 'ecdsa',
      }),
    },
    {
      name: 'keeps a certificate that covers more names than wanted',
      expect: () => ({ dnsNames: WANTED_DNS.slice(0, 2) }),
    },
    { name: 'matches an IPv6 address however it is written', expect: () => ({ ipAddresses: ['0:0::0:1'] }) },
    { name: 'matches DNS names case-insensitively', expect: () => ({ dnsNames: ['WebHook.Example.COM'] }) },
    {
      name: 'renews a certificate missing a wanted DNS name',
      expect: () => ({ dnsNames: [...WANTED_DNS, 'new.example.com'] }),
      reason: /^the certificate does not cover DNS name "new.example.com"$/,
    },
    {
      name: 'renews a certificate missing a wanted IP address',
      expect: () => ({ ipAddresses: ['127.0.0.1', '10.0.0.1'] }),
      reason: /^the certificate does not cover IP address 10.0.0.1$/,
    },
    {
      name: 'does not count a name under a covered domain as covered',
      expect: () => ({ dnsNames: ['a.webhook.example.com'] }),
      reason: /does not cover DNS name "a.webhook.example.com"/,
    },
    {
      name: 'renews a certificate whose key is another',
      expect: () => ({ keyPem: other.key }),
      reason: /^the certificate is unusable: its private key does not match it$/,
    },
    {
      name: 'renews a certificate whose key cannot be parsed',
      expect: () => ({ keyPem: 'garbage' }),
      reason: /^the certificate is unusable: its private key cannot be parsed: /,
    },
    {
      name: 'renews a certificate signed by another CA',
      expect: () => ({ caPem: other.caCert }),
      reason: /^the certificate is not signed by the CA$/,
    },
    {
      name: 'renews a certificate of another key type than wanted',
      expect: () => ({ keyType: 'rsa' }),
      reason: /^the certificate has a ecdsa key, rsa is wanted$/,
    },
    {
      name: 'renews a certificate that cannot be parsed',
      cert: () => '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
      expect: () => ({}),
      reason: /^the certificate cannot be parsed: /,
    },
    { name: 'renews an empty certificate', cert: () => '', expect: () => ({}), reason: /cannot be parsed/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const reason = renewalReason(c.cert ? c.cert() : bundle.cert, T0, c.expect());
      if (c.reason) assert.match(reason ?? '(none)', c.reason);
      else assert.equal(reason, undefined);
    });
  }

  it('renews a certificate that is not for TLS servers', async () => {
    const client = await generate([{ name: 'commonName', value: 'client' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      notBeforeDate: T0,
      notAfterDate: daysAfterT0(90),
      extensions: [{ name: 'extKeyUsage', clientAuth: true }],
    });
    assert.match(renewalReason(client.cert, T0) ?? '', /no serverAuth extended key usage/);
  });
});

describe('caRenewalReason', () => {
  const cases: {
    name: string;
    ca: () => { cert?: string; key?: string };
    now?: Date;
    keyType?: 'rsa' | 'ecdsa';
    reason?: RegExp;
  }[] = [
    { name: 'keeps a CA that has just been made', ca: () => ({ cert: bundle.caCert, key: bundle.caKey }) },
    {
      name: 'keeps a CA with just over a third of its validity left',
      ca: () => ({ cert: bundle.caCert, key: bundle.caKey }),
      now: daysAfterT0(2433),
    },
    {
      name: 'replaces a CA with less than a third of its validity left',
      ca: () => ({ cert: bundle.caCert, key: bundle.caKey }),
      now: daysAfterT0(2434),
      reason: /^the CA must be replaced: it expires at 2039-12-30T00:00:00.000Z, less than a third/,
    },
    {
      name: 'replaces a CA without its private key',
      ca: () => ({ cert: bundle.caCert }),
      reason: /^the CA private key is missing$/,
    },
    {
      name: 'replaces a CA without its certificate',
      ca: () => ({ key: bundle.caKey }),
      reason: /^the CA certificate is missing$/,
    },
    {
      name: 'replaces a CA whose key is another',
      ca: () => ({ cert: bundle.caCert, key: other.caKey }),
      reason: /^the CA is unusable: its private key does not match it$/,
    },
    {
      name: 'replaces a "CA" that is a serving certificate',
      ca: () => ({ cert: bundle.cert, key: bundle.key }),
      reason: /not a CA \(basicConstraints CA:FALSE\)/,
    },
    {
      name: 'replaces a CA of another key type than wanted',
      ca: () => ({ cert: bundle.caCert, key: bundle.caKey }),
      keyType: 'rsa',
      reason: /^the CA has a ecdsa key, rsa is wanted$/,
    },
    {
      name: 'replaces a CA that cannot be parsed',
      ca: () => ({ cert: 'nonsense', key: bundle.caKey }),
      reason: /^the CA certificate cannot be parsed/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const reason = caRenewalReason(c.ca(), c.now ?? T0, c.keyType ?? 'ecdsa');
      if (c.reason) assert.match(reason ?? '(none)', c.reason);
      else assert.equal(reason, undefined);
    });
  }
});
