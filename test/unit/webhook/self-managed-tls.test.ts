import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import type { SecretRef, StoredSecret } from '../../../certs/ensure.ts';
import { secretDataFromBundle } from '../../../certs/plan.ts';
import { loadCertificatePair } from '../../../webhook/tls/cert-source.ts';
import type { SelfManagedTlsOptions } from '../../../webhook/tls/self-managed-options.ts';
import {
  SelfManagedCertificate,
  type SelfManagedCertificateOptions,
  webhookConfigurationRefs,
} from '../../../webhook/tls/self-managed-tls.ts';
import { InMemorySecretStore, RecordingPatcher } from '../certs/fakes.ts';
import { daysAfterT0, fixtureBundle, REQUEST, T0 } from '../certs/fixtures.ts';

const TLS: SelfManagedTlsOptions = {
  secretName: 'mcs-bridge-tls',
  secretNamespace: REQUEST.namespace,
  service: REQUEST.service,
  hosts: [...(REQUEST.hosts ?? [])],
  ips: [...(REQUEST.ips ?? [])],
  keyType: 'ecdsa',
  days: 90,
  mutatingWebhookConfigs: ['mcs-bridge'],
  validatingWebhookConfigs: ['mcs-bridge'],
  checkIntervalMs: 60_000,
};
const SECRET: SecretRef = { namespace: TLS.secretNamespace, name: TLS.secretName };
const silent = pino({ level: 'silent' });

/** A store whose first `failures` reads fail, as when RBAC or the network is not there yet. */
class FlakyStore extends InMemorySecretStore {
  constructor(private failures: number) {
    super({ [`${SECRET.namespace}/${SECRET.name}`]: {} });
  }
  override async read(ref: SecretRef): Promise<StoredSecret | undefined> {
    if (this.failures-- > 0) throw new Error(`failed to read Secret ${ref.namespace}/${ref.name}: forbidden`);
    return super.read(ref);
  }
}

describe('the self-managed certificate', () => {
  let dir: string;
  let n = 0;
  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'self-managed-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** A certificate kept in `store`, written to files of its own, at the clock `now()` reads. */
  function managed(
    store: InMemorySecretStore,
    clock: { now: Date },
    extra: Partial<SelfManagedCertificateOptions> = {},
  ) {
    const files = path.join(dir, String(++n));
    const written: string[] = [];
    const registry = new Registry();
    const checks = new Counter({ name: 'checks', help: 'h', labelNames: ['result'], registers: [registry] });
    const patcher = new RecordingPatcher();
    const cert = new SelfManagedCertificate({
      tls: TLS,
      certFile: path.join(files, 'tls.crt'),
      keyFile: path.join(files, 'tls.key'),
      deps: { secrets: store, webhooks: patcher },
      logger: silent,
      now: () => clock.now,
      checks,
      retryMs: 5,
      onWritten: (r) => written.push(r.action),
      ...extra,
    });
    const counts = async () =>
      Object.fromEntries((await checks.get()).values.map((v) => [String(v.labels.result), v.value]));
    return { cert, files, written, patcher, counts };
  }

  it('names both kinds of webhook configuration, mutating first', () => {
    assert.deepEqual(webhookConfigurationRefs(TLS), [
      { kind: 'MutatingWebhookConfiguration', name: 'mcs-bridge' },
      { kind: 'ValidatingWebhookConfiguration', name: 'mcs-bridge' },
    ]);
  });

  it('fills an empty Secret, sets both caBundles, writes a pair that loads, and is then ready', async () => {
    const store = new InMemorySecretStore({ [`${SECRET.namespace}/${SECRET.name}`]: {} });
    const m = managed(store, { now: T0 });
    assert.match(m.cert.notReadyReason() ?? '', /Secret mcs-system\/mcs-bridge-tls is not in place yet/);
    const result = await m.cert.check();
    assert.equal(result.action, 'renewed', 'the empty Secret is updated, not created');
    assert.deepEqual(store.dataOf(SECRET), secretDataFromBundle(result.bundle));
    assert.deepEqual(
      [...m.patcher.caBundles.values()],
      [result.bundle.caCert, result.bundle.caCert],
      'both configurations trust the CA',
    );
    const pair = await loadCertificatePair(path.join(m.files, 'tls.crt'), path.join(m.files, 'tls.key'));
    assert.equal(pair.cert, result.bundle.cert);
    assert.equal((await stat(path.join(m.files, 'tls.key'))).mode & 0o777, 0o600, 'the key is private');
    assert.equal(m.cert.notReadyReason(), undefined);
    assert.deepEqual(m.written, ['renewed']);
  });

  it('writes nothing again while the Secret holds the certificate already written', async () => {
    const store = new InMemorySecretStore();
    const m = managed(store, { now: T0 });
    await m.cert.check();
    const second = await m.cert.check();
    assert.equal(second.action, 'reused');
    assert.deepEqual(m.written, ['created'], 'the files were written once');
    assert.deepEqual(await m.counts(), { created: 1, reused: 1 });
  });

  it('renews a certificate near expiry on a later check, with the same CA, and serves the new one', async () => {
    const stored = await fixtureBundle();
    const store = new InMemorySecretStore({
      [`${SECRET.namespace}/${SECRET.name}`]: secretDataFromBundle(stored),
    });
    const clock = { now: T0 };
    const m = managed(store, clock);
    assert.equal((await m.cert.check()).action, 'reused');
    clock.now = daysAfterT0(70); // less than a third of 90 days left
    const renewed = await m.cert.check();
    assert.equal(renewed.action, 'renewed');
    assert.match(renewed.reason ?? '', /less than a third of its validity/);
    assert.equal(renewed.bundle.caCert, stored.caCert, 'the CA is kept, so the caBundle stays');
    const served = await loadCertificatePair(path.join(m.files, 'tls.crt'), path.join(m.files, 'tls.key'));
    assert.ok(
      served.notAfter > new Date(new X509Certificate(stored.cert).validTo),
      'the new certificate lasts longer',
    );
    assert.deepEqual(m.written, ['reused', 'renewed']);
  });

  it('serves a certificate another replica stored, without writing the Secret', async () => {
    const store = new InMemorySecretStore();
    const m = managed(store, { now: T0 });
    await m.cert.check();
    const other = await fixtureBundle('other-replica', { keyType: 'ecdsa' });
    store.replaceBehindTheScenes(SECRET, secretDataFromBundle(other));
    const picked = await m.cert.check();
    assert.equal(picked.action, 'reused');
    assert.equal(picked.bundle.cert, other.cert);
    const served = await loadCertificatePair(path.join(m.files, 'tls.crt'), path.join(m.files, 'tls.key'));
    assert.equal(served.cert, other.cert);
    assert.deepEqual(
      store.writes.map((w) => w.verb),
      ['create'],
      'only the first check wrote the Secret',
    );
  });

  it('retries at start-up until the Secret can be read, saying meanwhile why it is not ready', async () => {
    const store = new FlakyStore(2);
    const m = managed(store, { now: T0 });
    const started = m.cert.start();
    await new Promise((r) => setTimeout(r, 1));
    assert.match(m.cert.notReadyReason() ?? '', /not in place yet: failed to read Secret .*: forbidden/);
    assert.equal(await started, true);
    m.cert.stop();
    assert.equal(m.cert.notReadyReason(), undefined);
    assert.deepEqual(await m.counts(), { error: 2, renewed: 1 });
  });

  it('spreads its start-up retries at random, doubling each time', async () => {
    const waits: number[] = [];
    const timers = {
      setTimeout: (fn: () => void, ms: number) => {
        waits.push(ms);
        return setImmediate(fn);
      },
      clearTimeout: (h: unknown) => clearImmediate(h as NodeJS.Immediate),
    };
    const m = managed(new FlakyStore(3), { now: T0 }, { retryMs: 1_000, timers, random: () => 0.5 });
    assert.equal(await m.cert.start(), true);
    m.cert.stop();
    assert.deepEqual(waits, [1_250, 2_500, 5_000], 'each delay lengthened by a quarter (half the jitter)');
  });

  it('gives up the start-up retries when stopped', async () => {
    const m = managed(new FlakyStore(Number.POSITIVE_INFINITY), { now: T0 }, { retryMs: 60_000 });
    const started = m.cert.start();
    await new Promise((r) => setTimeout(r, 5));
    m.cert.stop();
    assert.equal(await started, false);
    assert.deepEqual(m.written, []);
  });

  it('checks again every interval once started', async () => {
    const store = new InMemorySecretStore();
    const m = managed(store, { now: T0 }, { tls: { ...TLS, checkIntervalMs: 20 } });
    assert.equal(await m.cert.start(), true);
    await new Promise((r) => setTimeout(r, 110));
    m.cert.stop();
    const counts = await m.counts();
    assert.equal(counts.created, 1);
    assert.ok((counts.reused ?? 0) >= 2, `checked again: ${JSON.stringify(counts)}`);
  });
});
