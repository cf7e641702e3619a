import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CertificateBundle } from '../../../certs/generate.ts';
import {
  bundleFromSecretData,
  type CertificatePlan,
  planServingCertificate,
  secretDataFromBundle,
} from '../../../certs/plan.ts';
import type { CertificateRequest } from '../../../certs/request.ts';
import { daysAfterT0, fixtureBundle, REQUEST, T0 } from './fixtures.ts';

let bundle: CertificateBundle;
let other: CertificateBundle;

before(async () => {
  bundle = await fixtureBundle();
  other = await fixtureBundle('other');
});

/** What a plan says, without the PEMs: reuse, or issue with the stored CA or a new one. */
function summary(plan: CertificatePlan): string {
  if (plan.action === 'reuse') return 'reuse';
  if (plan.ca === undefined) return `issue with a new CA: ${plan.reason}`;
  assert.equal(plan.ca.cert, bundle.caCert, 'the CA kept is the stored one');
  assert.equal(plan.ca.key, bundle.caKey);
  return `issue with the stored CA: ${plan.reason}`;
}

describe('planServingCertificate', () => {
  const cases: {
    name: string;
    stored: () => Partial<CertificateBundle> | undefined;
    request?: Partial<CertificateRequest>;
    now?: Date;
    force?: boolean;
    want: RegExp;
  }[] = [
    {
      name: 'creates a CA and a certificate when there is no Secret',
      stored: () => undefined,
      want: /^issue with a new CA: the Secret does not exist$/,
    },
    {
      name: 'creates a CA and a certificate when the Secret is empty',
      stored: () => ({}),
      want: /^issue with a new CA: the CA certificate is missing$/,
    },
    { name: 'reuses a stored certificate that is still good', stored: () => bundle, want: /^reuse$/ },
    {
      name: 'reuses it until a third of its validity is left',
      stored: () => bundle,
      now: daysAfterT0(59),
      want: /^reuse$/,
    },
    {
      name: 'renews with the same CA once less than a third of the validity is left',
      stored: () => bundle,
      now: daysAfterT0(61),
      want: /^issue with the stored CA: the certificate must be renewed: it expires at .*less than a third/,
    },
    {
      name: 'renews with the same CA when a host is added',
      stored: () => bundle,
      request: { hosts: ['webhook.example.com', 'other.example.com'] },
      want: /^issue with the stored CA: the certificate does not cover DNS name "other.example.com"$/,
    },
    {
      name: 'renews with the same CA when an IP is added',
      stored: () => bundle,
      request: { ips: ['127.0.0.1', '::1', '10.1.2.3'] },
      want: /^issue with the stored CA: the certificate does not cover IP address 10.1.2.3$/,
    },
    {
      name: 'renews with the same CA when the namespace changes',
      stored: () => bundle,
      request: { namespace: 'elsewhere' },
      want: /^issue with the stored CA: the certificate does not cover DNS name "mcs-bridge-webhook.elsewhere"$/,
    },
    {
      name: 'renews with the same CA when the serving key does not match',
      stored: () => ({ ...bundle, key: other.key }),
      want: /^issue with the stored CA: the certificate is unusable: its private key does not match it$/,
    },
    {
      name: 'renews with the same CA when the certificate is signed by another CA',
      stored: () => ({ ...bundle, cert: other.cert, key: other.key }),
      want: /^issue with the stored CA: the certificate is not signed by the CA$/,
    },
    {
      name: 'renews with the same CA when the certificate is garbage',
      stored: () => ({ ...bundle, cert: 'garbage' }),
      want: /^issue with the stored CA: the certificate cannot be parsed/,
    },
    {
      name: 'issues with the same CA when only the certificate is missing',
      stored: () => ({ caCert: bundle.caCert, caKey: bundle.caKey }),
      want: /^issue with the stored CA: the certificate is missing$/,
    },
    {
      name: 'issues with the same CA when only the serving key is missing',
      stored: () => ({ ...bundle, key: undefined }),
      want: /^issue with the stored CA: the private key is missing$/,
    },
    {
      name: 'issues with the same CA when a new certificate is forced',
      stored: () => bundle,
      force: true,
      want: /^issue with the stored CA: a new certificate was requested$/,
    },
    {
      name: 'starts over with a new CA when the CA key is missing (a Secret written by other tools)',
      stored: () => ({ ...bundle, caKey: undefined }),
      want: /^issue with a new CA: the CA private key is missing$/,
    },
    {
      name: 'starts over with a new CA when the CA is a third from expiry',
      stored: () => bundle,
      now: daysAfterT0(2500),
      want: /^issue with a new CA: the CA must be replaced: /,
    },
    {
      name: 'starts over with a new CA when the key type changes, as selfsigned signs only with a CA key of the same type',
      stored: () => bundle,
      request: { keyType: 'rsa' },
      want: /^issue with a new CA: the CA has a ecdsa key, rsa is wanted$/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planServingCertificate(c.stored(), { ...REQUEST, ...c.request }, c.now ?? T0, {
        force: c.force ?? false,
      });
      assert.match(summary(plan), c.want);
      if (plan.action === 'reuse') assert.deepEqual(plan.bundle, bundle);
    });
  }
});

describe('the Secret layout', () => {
  it('keeps a bundle under tls.crt, tls.key, ca.crt and ca.key', () => {
    const data = secretDataFromBundle(bundle);
    assert.deepEqual(Object.keys(data).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    assert.equal(data['tls.crt'], bundle.cert);
    assert.equal(data['ca.key'], bundle.caKey);
  });

  it('reads back what it wrote, and nothing for keys that are absent', () => {
    assert.deepEqual(bundleFromSecretData(secretDataFromBundle(bundle)), bundle);
    assert.deepEqual(bundleFromSecretData({ 'tls.crt': 'x', other: 'y' }), {
      cert: 'x',
      key: undefined,
      caCert: undefined,
      caKey: undefined,
    });
  });
});
