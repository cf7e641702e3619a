import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import {
  type EnsureOptions,
  type EnsureResult,
  ensureServingCertificate,
  type WebhookConfigurationRef,
} from '../../../certs/ensure.ts';
import {
  type CertificateBundle,
  type GenerateOptions,
  generateCertificates,
} from '../../../certs/generate.ts';
import { secretDataFromBundle } from '../../../certs/plan.ts';
import { InMemorySecretStore, RecordingPatcher } from './fakes.ts';
import { daysAfterT0, fixtureBundle, REQUEST, T0 } from './fixtures.ts';

const SECRET = { namespace: 'mcs-system', name: 'mcs-bridge-webhook-tls' };
const SECRET_KEY = 'mcs-system/mcs-bridge-webhook-tls';
const CONFIGS: WebhookConfigurationRef[] = [
  { kind: 'MutatingWebhookConfiguration', name: 'mcs-bridge' },
  { kind: 'ValidatingWebhookConfiguration', name: 'mcs-bridge' },
];
const PATCH_BOTH = [
  { verb: 'patch', config: 'MutatingWebhookConfiguration/mcs-bridge' },
  { verb: 'patch', config: 'ValidatingWebhookConfiguration/mcs-bridge' },
];

let stored: CertificateBundle;

before(async () => {
  stored = await fixtureBundle();
});

function options(overrides: Partial<EnsureOptions> = {}): EnsureOptions {
  return { ...REQUEST, secret: SECRET, webhookConfigurations: CONFIGS, now: T0, ...overrides };
}

/** A patcher whose configurations already trust the stored CA. */
function patcherTrusting(caPem: string): RecordingPatcher {
  const patcher = new RecordingPatcher();
  for (const ref of CONFIGS) patcher.caBundles.set(`${ref.kind}/${ref.name}`, caPem);
  return patcher;
}

function assertServes(result: EnsureResult, store: InMemorySecretStore): void {
  assert.deepEqual(
    store.dataOf(SECRET),
    secretDataFromBundle(result.bundle),
    'the Secret holds what is served',
  );
  const cert = new X509Certificate(result.bundle.cert);
  assert.ok(cert.checkIssued(new X509Certificate(result.bundle.caCert)));
}

describe('ensureServingCertificate', () => {
  it('creates the Secret and sets both caBundles when nothing exists yet', async () => {
    const store = new InMemorySecretStore();
    const patcher = new RecordingPatcher();
    const result = await ensureServingCertificate({ secrets: store, webhooks: patcher }, options());
    assert.equal(result.action, 'created');
    assert.equal(result.reason, 'the Secret does not exist');
    assert.deepEqual(store.writes, [{ verb: 'create', secret: SECRET_KEY }]);
    assert.deepEqual(patcher.writes, PATCH_BOTH);
    assert.deepEqual(result.patched, CONFIGS);
    assert.equal(patcher.caBundles.get('MutatingWebhookConfiguration/mcs-bridge'), result.bundle.caCert);
    assertServes(result, store);
  });

  it('reuses a good certificate and writes nothing at all', async () => {
    const store = new InMemorySecretStore({ [SECRET_KEY]: secretDataFromBundle(stored) });
    const patcher = patcherTrusting(stored.caCert);
    const result = await ensureServingCertificate(
      { secrets: store, webhooks: patcher },
      options({ now: daysAfterT0(30) }),
    );
    assert.equal(result.action, 'reused');
    assert.deepEqual(result.bundle, stored);
    assert.deepEqual(store.writes, []);
    assert.deepEqual(patcher.writes, []);
    assert.deepEqual(result.patched, []);
  });

  it('sets the caBundle again when a configuration lost it, keeping the certificate', async () => {
    const store = new InMemorySecretStore({ [SECRET_KEY]: secretDataFromBundle(stored) });
    const patcher = new RecordingPatcher();
    const result = await ensureServingCertificate({ secrets: store, webhooks: patcher }, options());
    assert.equal(result.action, 'reused');
    assert.deepEqual(store.writes, []);
    assert.deepEqual(patcher.writes, PATCH_BOTH);
  });

  it('renews a certificate with less than a third left, with the same CA so the caBundle stays', async () => {
    const store = new InMemorySecretStore({ [SECRET_KEY]: secretDataFromBundle(stored) });
    const patcher = patcherTrusting(stored.caCert);
    const now = daysAfterT0(61);
    const result = await ensureServingCertificate({ secrets: store, webhooks: patcher }, options({ now }));
    assert.equal(result.action, 'renewed');
    assert.match(result.reason ?? '', /less than a third of its validity/);
    assert.deepEqual(store.writes, [{ verb: 'update', secret: SECRET_KEY, fromResourceVersion: '101' }]);
    assert.equal(result.bundle.caCert, stored.caCert);
    assert.equal(result.bundle.caKey, stored.caKey);
    assert.notEqual(result.bundle.cert, stored.cert);
    assert.equal(
      new Date(new X509Certificate(result.bundle.cert).validTo).getTime(),
      daysAfterT0(61 + 90).getTime(),
    );
    assert.deepEqual(patcher.writes, [], 'the caBundle did not change');
    assertServes(result, store);
  });

  it('replaces the CA and both caBundles when the key type changes', async () => {
    const store = new InMemorySecretStore({ [SECRET_KEY]: secretDataFromBundle(stored) });
    const patcher = patcherTrusting(stored.caCert);
    const result = await ensureServingCertificate(
      { secrets: store, webhooks: patcher },
      options({ keyType: 'rsa' }),
    );
    assert.equal(result.action, 'renewed');
    assert.notEqual(result.bundle.caCert, stored.caCert);
    assert.equal(new X509Certificate(result.bundle.cert).publicKey.asymmetricKeyType, 'rsa');
    assert.deepEqual(patcher.writes, PATCH_BOTH);
    assert.equal(patcher.caBundles.get('ValidatingWebhookConfiguration/mcs-bridge'), result.bundle.caCert);
  });

  it('issues a new certificate with the same CA when forced', async () => {
    const store = new InMemorySecretStore({ [SECRET_KEY]: secretDataFromBundle(stored) });
    const result = await ensureServingCertificate(
      { secrets: store, webhooks: patcherTrusting(stored.caCert) },
      options({ force: true }),
    );
    assert.equal(result.action, 'renewed');
    assert.equal(result.reason, 'a new certificate was requested');
    assert.equal(result.bundle.caCert, stored.caCert);
    assert.notEqual(result.bundle.cert, stored.cert);
  });

  it('refuses an invalid request before reading anything', async () => {
    const store = new InMemorySecretStore();
    await assert.rejects(
      ensureServingCertificate(
        { secrets: store, webhooks: new RecordingPatcher() },
        options({ hosts: ['not a host'] }),
      ),
      /invalid certificate request: hosts\[0\]: "not a host" is not a valid DNS name/,
    );
    assert.equal(store.reads, 0);
  });

  it('passes on a failure to patch a caBundle, after the Secret is stored', async () => {
    const store = new InMemorySecretStore();
    const patcher = new RecordingPatcher(
      new Error('failed to patch the caBundle of MutatingWebhookConfiguration mcs-bridge: forbidden'),
    );
    await assert.rejects(
      ensureServingCertificate({ secrets: store, webhooks: patcher }, options()),
      /forbidden/,
    );
    assert.deepEqual(store.writes, [{ verb: 'create', secret: SECRET_KEY }]);
  });
});

describe('ensureServingCertificate with replicas racing', () => {
  for (const { name, initial, now, force } of [
    {
      name: 'two replicas starting on an empty namespace create one Secret',
      initial: false,
      now: T0,
      force: false,
    },
    {
      name: 'two replicas renewing at once write the Secret once',
      initial: true,
      now: daysAfterT0(61),
      force: false,
    },
    {
      name: 'two replicas forced to renew at once write the Secret once',
      initial: true,
      now: T0,
      force: true,
    },
  ]) {
    it(`${name} and serve the same certificate`, async () => {
      const store = new InMemorySecretStore(initial ? { [SECRET_KEY]: secretDataFromBundle(stored) } : {});
      const patcher = new RecordingPatcher();
      store.holdReads(2);
      const deps = { secrets: store, webhooks: patcher };
      const results = await Promise.all([
        ensureServingCertificate(deps, options({ now, force })),
        ensureServingCertificate(deps, options({ now, force })),
      ]);
      const actions = results.map((r) => r.action).sort();
      assert.deepEqual(actions, [initial ? 'renewed' : 'created', 'adopted'].sort());
      assert.deepEqual(results[0]?.bundle, results[1]?.bundle, 'both serve the same certificate');
      assert.deepEqual(store.writes, [
        initial
          ? { verb: 'update', secret: SECRET_KEY, fromResourceVersion: '101' }
          : { verb: 'create', secret: SECRET_KEY },
      ]);
      assert.equal(results[0]?.resourceVersion, results[1]?.resourceVersion);
      for (const r of results) assertServes(r, store);
      assert.equal(
        patcher.caBundles.get('MutatingWebhookConfiguration/mcs-bridge'),
        results[0]?.bundle.caCert,
      );
    });
  }

  it('replaces a certificate it lost a race to when that one is unusable', async () => {
    const store = new InMemorySecretStore({ [SECRET_KEY]: secretDataFromBundle(stored) });
    let generated = 0;
    const generate = async (opts: GenerateOptions) => {
      generated += 1;
      // Another writer stores garbage between our read and our write, once.
      if (generated === 1) store.replaceBehindTheScenes(SECRET, { 'tls.crt': 'garbage' });
      return generateCertificates(opts);
    };
    const result = await ensureServingCertificate(
      { secrets: store, webhooks: new RecordingPatcher(), generate },
      options({ now: daysAfterT0(61) }),
    );
    assert.equal(result.action, 'renewed');
    assert.equal(result.reason, 'the CA certificate is missing');
    assert.equal(generated, 2);
    assert.deepEqual(store.writes, [{ verb: 'update', secret: SECRET_KEY, fromResourceVersion: '102' }]);
    assertServes(result, store);
  });

  it('gives up after maxAttempts conflicts with an error naming the Secret', async () => {
    const store = new InMemorySecretStore({ [SECRET_KEY]: secretDataFromBundle(stored) });
    const generate = async (opts: GenerateOptions) => {
      store.replaceBehindTheScenes(SECRET, { 'tls.crt': 'garbage' });
      return generateCertificates(opts);
    };
    await assert.rejects(
      ensureServingCertificate(
        { secrets: store, webhooks: new RecordingPatcher(), generate },
        options({ now: daysAfterT0(61), maxAttempts: 3 }),
      ),
      /^Error: failed to store the certificate in Secret mcs-system\/mcs-bridge-webhook-tls: gave up after 3 conflicts: failed to update Secret mcs-system\/mcs-bridge-webhook-tls: the object has been modified$/,
    );
    assert.equal(store.reads, 3);
    assert.deepEqual(store.writes, []);
  });
});
