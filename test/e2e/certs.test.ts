/**
 * certs/ against the sandbox hub's real API server: the client-node Secret store and caBundle
 * patcher, replicas racing on one Secret, the CLI's --kubeconfig mode, and the proof that
 * matters most: kube-apiserver (Go's crypto/x509) trusts a serving certificate from our CA.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  type V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { ConflictError, type EnsureOptions, ensureServingCertificate } from '../../certs/ensure.ts';
import { KubernetesCABundlePatcher, KubernetesSecretStore } from '../../certs/kubernetes.ts';
import type { KeyType } from '../../certs/request.ts';
import { REPO_ROOT, type Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, uniqueName, useSandbox } from '../sandbox/testing.ts';

const DAY = 24 * 60 * 60 * 1000;
const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A webhook configuration that matches a resource nobody creates, so it is never called. */
function idleWebhook(name: string) {
  return {
    name,
    clientConfig: { url: 'https://127.0.0.1:1/never' },
    rules: [
      {
        apiGroups: ['certs-e2e.invalid'],
        apiVersions: ['v1'],
        operations: ['CREATE'],
        resources: ['nothings'],
      },
    ],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    failurePolicy: 'Ignore',
  };
}

/** Runs mcs-bridge-certs from source. */
function certsCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'certs/main.ts'), ...args],
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('certs against a real API server', () => {
  let sb: Sandbox;
  let core: CoreV1Api;
  let admission: AdmissionregistrationV1Api;
  const ns = uniqueName('certs');
  const configName = `${ns}-idle`;
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    sb = await useSandbox();
    core = sb.kubeConfig('hub').makeApiClient(CoreV1Api);
    admission = sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
    cleanups.push(await createNamespace(sb, ns, ['hub']));
    await admission.createMutatingWebhookConfiguration({
      body: {
        metadata: { name: configName },
        webhooks: [idleWebhook('a.certs.test'), idleWebhook('b.certs.test')],
      },
    });
    await admission.createValidatingWebhookConfiguration({
      body: { metadata: { name: configName }, webhooks: [idleWebhook('c.certs.test')] },
    });
    cleanups.push(() => admission.deleteMutatingWebhookConfiguration({ name: configName }));
    cleanups.push(() => admission.deleteValidatingWebhookConfiguration({ name: configName }));
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  function options(secretName: string, overrides: Partial<EnsureOptions> = {}): EnsureOptions {
    return {
      service: 'webhook',
      namespace: ns,
      ips: ['127.0.0.1'],
      keyType: 'ecdsa',
      secret: { namespace: ns, name: secretName },
      webhookConfigurations: [
        { kind: 'MutatingWebhookConfiguration', name: configName },
        { kind: 'ValidatingWebhookConfiguration', name: configName },
      ],
      now: new Date(),
      ...overrides,
    };
  }

  async function caBundles(): Promise<(string | undefined)[]> {
    const m = await admission.readMutatingWebhookConfiguration({ name: configName });
    const v = await admission.readValidatingWebhookConfiguration({ name: configName });
    return [...(m.webhooks ?? []), ...(v.webhooks ?? [])].map((w) => w.clientConfig.caBundle);
  }

  it('creates the Secret, reuses it, and renews it with the same CA, keeping every caBundle', async () => {
    const deps = {
      secrets: new KubernetesSecretStore(core),
      webhooks: new KubernetesCABundlePatcher(admission),
    };
    const created = await ensureServingCertificate(deps, options('lifecycle'));
    assert.equal(created.action, 'created');
    assert.equal(created.patched.length, 2);
    const secret = await core.readNamespacedSecret({ namespace: ns, name: 'lifecycle' });
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.deepEqual(Object.keys(secret.data ?? {}).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
    assert.deepEqual(await caBundles(), Array(3).fill(b64(created.bundle.caCert)));

    const reused = await ensureServingCertificate(deps, options('lifecycle'));
    assert.equal(reused.action, 'reused');
    assert.equal(reused.resourceVersion, created.resourceVersion, 'no write');
    assert.deepEqual(reused.patched, []);

    const renewed = await ensureServingCertificate(
      deps,
      options('lifecycle', { now: new Date(Date.now() + 300 * DAY) }),
    );
    assert.equal(renewed.action, 'renewed');
    assert.notEqual(renewed.bundle.cert, created.bundle.cert);
    assert.equal(renewed.bundle.caCert, created.bundle.caCert);
    assert.deepEqual(renewed.patched, [], 'the caBundle did not change');
    const stored = await core.readNamespacedSecret({ namespace: ns, name: 'lifecycle' });
    assert.equal(Buffer.from(stored.data?.['tls.crt'] ?? '', 'base64').toString(), renewed.bundle.cert);
    assert.equal(stored.metadata?.labels?.['app.kubernetes.io/managed-by'], 'mcs-bridge', 'labels kept');
  });

  it('answers a write based on a stale resourceVersion with a ConflictError', async () => {
    const store = new KubernetesSecretStore(core);
    const ref = { namespace: ns, name: 'stale' };
    const first = await store.create(ref, { 'tls.crt': 'a', 'tls.key': 'b' });
    await store.update(ref, { 'tls.crt': 'c' }, first.resourceVersion);
    await assert.rejects(store.update(ref, { 'tls.crt': 'd' }, first.resourceVersion), ConflictError);
    await assert.rejects(store.create(ref, { 'tls.crt': 'e', 'tls.key': 'f' }), ConflictError);
    assert.deepEqual((await store.read(ref))?.data, { 'tls.crt': 'c', 'tls.key': 'b' });
  });

  it('lets two replicas that start together agree on one certificate', async () => {
    const real = new KubernetesSecretStore(core);
    // Both replicas read before either writes, so the API server must settle the race.
    let arrived = 0;
    let release = () => {};
    const bothRead = new Promise<void>((resolve) => {
      release = resolve;
    });
    const racing = {
      read: async (ref: { namespace: string; name: string }) => {
        const result = await real.read(ref);
        if (++arrived === 2) release();
        if (arrived <= 2) await bothRead;
        return result;
      },
      create: real.create.bind(real),
      update: real.update.bind(real),
    };
    const deps = { secrets: racing, webhooks: new KubernetesCABundlePatcher(admission) };
    const results = await Promise.all([
      ensureServingCertificate(deps, options('race')),
      ensureServingCertificate(deps, options('race')),
    ]);
    assert.deepEqual(results.map((r) => r.action).sort(), ['adopted', 'created']);
    assert.equal(results[0]?.bundle.cert, results[1]?.bundle.cert);
    assert.deepEqual(await caBundles(), Array(3).fill(b64(results[0]?.bundle.caCert ?? '')));
  });

  it('stores through the CLI with --kubeconfig, and leaves everything alone on a second run', async () => {
    const args = ['--kubeconfig', sb.layout.kubeconfig, '--context', 'hub', '--service', 'webhook'];
    args.push('--namespace', ns, '--secret-name', 'cli', '--key-type', 'ecdsa');
    args.push('--mutating-webhook', configName, '--validating-webhook', configName);
    const first = await certsCli(args);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, new RegExp(`^Secret ${ns}/cli created: the Secret does not exist`));
    const secret = await core.readNamespacedSecret({ namespace: ns, name: 'cli' });
    assert.equal(first.stdout, `${secret.data?.['ca.crt']}\n`);
    assert.deepEqual(await caBundles(), Array(3).fill(secret.data?.['ca.crt']));
    const second = await certsCli(args);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(`^Secret ${ns}/cli reused \\(valid until`));
    assert.match(
      second.stderr,
      new RegExp(`MutatingWebhookConfiguration ${configName}: caBundle already current`),
    );
    assert.equal(second.stdout, first.stdout);
  });

  const KEY_NAMES: Record<KeyType, string> = { rsa: 'an RSA', ecdsa: 'an ECDSA' };
  for (const keyType of ['rsa', 'ecdsa'] as const) {
    it(`gets kube-apiserver to call a webhook serving ${KEY_NAMES[keyType]} certificate from our CA`, async () => {
      const result = await ensureServingCertificate(
        { secrets: new KubernetesSecretStore(core), webhooks: new KubernetesCABundlePatcher(admission) },
        options(`serving-${keyType}`, { keyType, webhookConfigurations: [] }),
      );
      const server: Server = createServer(
        { cert: result.bundle.cert, key: result.bundle.key },
        (req, res) => {
          let body = '';
          req.on('data', (chunk) => {
            body += chunk;
          });
          req.on('end', () => {
            const review = JSON.parse(body) as { request: { uid: string } };
            res.setHeader('Content-Type', 'application/json');
            res.end(
              JSON.stringify({
                apiVersion: 'admission.k8s.io/v1',
                kind: 'AdmissionReview',
                response: {
                  uid: review.request.uid,
                  allowed: false,
                  status: { message: `denied over ${keyType} TLS` },
                },
              }),
            );
          });
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const name = `${ns}-${keyType}`;
      const body: V1ValidatingWebhookConfiguration = {
        metadata: { name },
        webhooks: [
          {
            name: 'deny.certs.test',
            clientConfig: {
              url: `https://127.0.0.1:${(server.address() as AddressInfo).port}/validate`,
              caBundle: b64(result.bundle.caCert),
            },
            rules: [
              { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['configmaps'] },
            ],
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
            objectSelector: { matchLabels: { 'certs-e2e': keyType } },
            sideEffects: 'None',
            admissionReviewVersions: ['v1'],
            failurePolicy: 'Fail',
            timeoutSeconds: 5,
          },
        ],
      };
      await admission.createValidatingWebhookConfiguration({ body });
      try {
        // The API server may take a moment to see a new configuration; until then the
        // ConfigMap is allowed, so retry with a fresh name until the webhook answers.
        const deadline = Date.now() + 20_000;
        let message = '';
        for (let i = 0; Date.now() < deadline; i++) {
          try {
            const cm = { metadata: { name: `probe-${keyType}-${i}`, labels: { 'certs-e2e': keyType } } };
            await core.createNamespacedConfigMap({ namespace: ns, body: cm });
          } catch (err) {
            message = String((err as { body?: unknown }).body ?? err);
            break;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
        assert.match(
          message,
          new RegExp(`denied over ${keyType} TLS`),
          'the webhook was reached over verified TLS',
        );
      } finally {
        await admission.deleteValidatingWebhookConfiguration({ name });
        server.close();
      }
    });
  }
});
