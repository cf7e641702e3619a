import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AdmissionregistrationV1Api, ApiException, type CoreV1Api } from '@kubernetes/client-node';
import { ConflictError } from '../../../certs/ensure.ts';
import {
  describeApiError,
  KubernetesCABundlePatcher,
  KubernetesSecretStore,
} from '../../../certs/kubernetes.ts';

const REF = { namespace: 'mcs-system', name: 'webhook-tls' };

/** An ApiException as client-node throws it: the Status as JSON text in the body. */
function apiError(code: number, message: string): ApiException<string> {
  return new ApiException(
    code,
    'Unknown API Status Code!',
    JSON.stringify({ kind: 'Status', message, code }),
    {},
  );
}

/** The Content-Type header a call's options set (client-node's setHeaderOptions middleware). */
function contentTypeOf(options: unknown): string | undefined {
  const headers: Record<string, string> = {};
  const middleware = (options as { middleware?: { pre: (r: unknown) => unknown }[] }).middleware ?? [];
  const request = {
    setHeaderParam: (k: string, v: string) => {
      headers[k] = v;
    },
    setSignal: () => {},
  };
  for (const m of middleware) m.pre(request);
  return headers['Content-Type'];
}

/** A CoreV1Api stand-in: each method answers from `answers`, and every call is recorded. */
function fakeCore(answers: Record<string, () => unknown>) {
  const calls: { method: string; param: unknown; options: unknown }[] = [];
  const api = new Proxy(
    {},
    {
      get: (_target, method: string) => async (param: unknown, options: unknown) => {
        calls.push({ method, param, options });
        const answer = answers[method];
        if (!answer) throw new Error(`unexpected call ${method}`);
        return answer();
      },
    },
  );
  return { api, calls };
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

describe('describeApiError', () => {
  const cases: { name: string; err: unknown; want: string }[] = [
    {
      name: "gives the API server's message and the HTTP code",
      err: apiError(403, 'secrets "x" is forbidden: User "u" cannot get resource "secrets"'),
      want: 'secrets "x" is forbidden: User "u" cannot get resource "secrets" (HTTP 403)',
    },
    {
      name: 'gives a body that is not JSON as it is',
      err: new ApiException(502, 'Unknown API Status Code!', 'Bad Gateway\n', {}),
      want: 'Bad Gateway (HTTP 502)',
    },
    {
      name: 'says when there is no message',
      err: new ApiException(401, 'Unauthorized', undefined, {}),
      want: 'no message (HTTP 401)',
    },
    {
      name: 'gives any other error its own message',
      err: new Error('connect ECONNREFUSED'),
      want: 'connect ECONNREFUSED',
    },
    {
      name: "adds the code of fetch's cause",
      err: new TypeError('fetch failed', {
        cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }),
      }),
      want: 'fetch failed (ECONNREFUSED)',
    },
    {
      name: "adds the message of fetch's cause when it has no code",
      err: new TypeError('fetch failed', { cause: new Error('bad port') }),
      want: 'fetch failed (bad port)',
    },
  ];
  for (const c of cases) it(c.name, () => assert.equal(describeApiError(c.err), c.want));
});

describe('KubernetesSecretStore', () => {
  it('reads and decodes a Secret with its resourceVersion', async () => {
    const { api } = fakeCore({
      readNamespacedSecret: () => ({ metadata: { resourceVersion: '42' }, data: { 'tls.crt': b64('PEM') } }),
    });
    const store = new KubernetesSecretStore(api as CoreV1Api);
    assert.deepEqual(await store.read(REF), { data: { 'tls.crt': 'PEM' }, resourceVersion: '42' });
  });

  it('reads a missing Secret as undefined', async () => {
    const { api } = fakeCore({
      readNamespacedSecret: () => {
        throw apiError(404, 'secrets "webhook-tls" not found');
      },
    });
    assert.equal(await new KubernetesSecretStore(api as CoreV1Api).read(REF), undefined);
  });

  it('names the Secret when a read fails otherwise', async () => {
    const { api } = fakeCore({
      readNamespacedSecret: () => {
        throw apiError(403, 'forbidden');
      },
    });
    await assert.rejects(
      new KubernetesSecretStore(api as CoreV1Api).read(REF),
      /^Error: failed to read Secret mcs-system\/webhook-tls: forbidden \(HTTP 403\)$/,
    );
  });

  it('creates a kubernetes.io/tls Secret with encoded data and its labels', async () => {
    const { api, calls } = fakeCore({
      createNamespacedSecret: () => ({ metadata: { resourceVersion: '1' } }),
    });
    const store = new KubernetesSecretStore(api as CoreV1Api);
    assert.deepEqual(await store.create(REF, { 'tls.crt': 'PEM' }), { data: {}, resourceVersion: '1' });
    assert.deepEqual(calls[0]?.param, {
      namespace: 'mcs-system',
      body: {
        metadata: {
          name: 'webhook-tls',
          namespace: 'mcs-system',
          labels: { 'app.kubernetes.io/managed-by': 'mcs-bridge' },
        },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': b64('PEM') },
      },
    });
  });

  it('turns "already exists" on create into a ConflictError naming the Secret', async () => {
    const { api } = fakeCore({
      createNamespacedSecret: () => {
        throw apiError(409, 'secrets "webhook-tls" already exists');
      },
    });
    await assert.rejects(new KubernetesSecretStore(api as CoreV1Api).create(REF, {}), (err: Error) => {
      assert.ok(err instanceof ConflictError);
      assert.equal(
        err.message,
        'failed to create Secret mcs-system/webhook-tls: secrets "webhook-tls" already exists (HTTP 409)',
      );
      return true;
    });
  });

  it('updates with a merge patch whose resourceVersion is the precondition', async () => {
    const { api, calls } = fakeCore({
      patchNamespacedSecret: () => ({ metadata: { resourceVersion: '43' } }),
    });
    const written = await new KubernetesSecretStore(api as CoreV1Api).update(REF, { 'tls.key': 'KEY' }, '42');
    assert.equal(written.resourceVersion, '43');
    assert.deepEqual(calls[0]?.param, {
      namespace: 'mcs-system',
      name: 'webhook-tls',
      body: { metadata: { resourceVersion: '42' }, data: { 'tls.key': b64('KEY') } },
    });
    assert.equal(contentTypeOf(calls[0]?.options), 'application/merge-patch+json');
  });

  for (const [code, message] of [
    [409, 'the object has been modified; please apply your changes to the latest version and try again'],
    [404, 'secrets "webhook-tls" not found'],
  ] as const) {
    it(`turns HTTP ${code} on update into a ConflictError, so the caller reads again`, async () => {
      const { api } = fakeCore({
        patchNamespacedSecret: () => {
          throw apiError(code, message);
        },
      });
      await assert.rejects(new KubernetesSecretStore(api as CoreV1Api).update(REF, {}, '1'), ConflictError);
    });
  }

  it('names the Secret when an update fails for another reason', async () => {
    const { api } = fakeCore({
      patchNamespacedSecret: () => {
        throw apiError(422, 'Secret "webhook-tls" is invalid');
      },
    });
    await assert.rejects(
      new KubernetesSecretStore(api as CoreV1Api).update(REF, {}, '1'),
      (err: Error) =>
        !(err instanceof ConflictError) &&
        /^failed to update Secret mcs-system\/webhook-tls: /.test(err.message),
    );
  });
});

describe('KubernetesCABundlePatcher', () => {
  const CA = '-----BEGIN CERTIFICATE-----\nCA\n-----END CERTIFICATE-----\n';
  const webhook = (name: string, caBundle?: string) => ({
    name,
    clientConfig: { url: 'https://x', caBundle },
  });

  it('patches, by name, only the webhooks whose caBundle differs', async () => {
    const { api, calls } = fakeCore({
      readMutatingWebhookConfiguration: () => ({
        webhooks: [webhook('a.mcs', b64(CA)), webhook('b.mcs', b64('old')), webhook('c.mcs')],
      }),
      patchMutatingWebhookConfiguration: () => ({}),
    });
    const patcher = new KubernetesCABundlePatcher(api as AdmissionregistrationV1Api);
    assert.equal(
      await patcher.setCABundle({ kind: 'MutatingWebhookConfiguration', name: 'mcs-bridge' }, CA),
      true,
    );
    assert.deepEqual(calls[1]?.param, {
      name: 'mcs-bridge',
      body: {
        webhooks: [
          { name: 'b.mcs', clientConfig: { caBundle: b64(CA) } },
          { name: 'c.mcs', clientConfig: { caBundle: b64(CA) } },
        ],
      },
    });
    assert.equal(contentTypeOf(calls[1]?.options), 'application/strategic-merge-patch+json');
  });

  it('writes nothing when every webhook already trusts the CA', async () => {
    const { api, calls } = fakeCore({
      readValidatingWebhookConfiguration: () => ({ webhooks: [webhook('a.mcs', b64(CA))] }),
    });
    const patcher = new KubernetesCABundlePatcher(api as AdmissionregistrationV1Api);
    assert.equal(await patcher.setCABundle({ kind: 'ValidatingWebhookConfiguration', name: 'v' }, CA), false);
    assert.deepEqual(
      calls.map((c) => c.method),
      ['readValidatingWebhookConfiguration'],
    );
  });

  it('names the configuration when it cannot be read or patched', async () => {
    const { api } = fakeCore({
      readValidatingWebhookConfiguration: () => {
        throw apiError(404, 'validatingwebhookconfigurations.admissionregistration.k8s.io "v" not found');
      },
      readMutatingWebhookConfiguration: () => ({ webhooks: [webhook('a.mcs')] }),
      patchMutatingWebhookConfiguration: () => {
        throw apiError(403, 'forbidden');
      },
    });
    const patcher = new KubernetesCABundlePatcher(api as AdmissionregistrationV1Api);
    await assert.rejects(
      patcher.setCABundle({ kind: 'ValidatingWebhookConfiguration', name: 'v' }, CA),
      /^Error: failed to read ValidatingWebhookConfiguration v: .* not found \(HTTP 404\)$/,
    );
    await assert.rejects(
      patcher.setCABundle({ kind: 'MutatingWebhookConfiguration', name: 'm' }, CA),
      /^Error: failed to patch the caBundle of MutatingWebhookConfiguration m: forbidden \(HTTP 403\)$/,
    );
  });
});

/** The abort signal a call's options set, if any (see lib/kube-abort.ts). */
function signalOf(options: unknown): AbortSignal | undefined {
  let signal: AbortSignal | undefined;
  const middleware = (options as { middleware?: { pre: (r: unknown) => unknown }[] }).middleware ?? [];
  const request = {
    setHeaderParam: () => {},
    setSignal: (s: AbortSignal) => {
      signal = s;
    },
  };
  for (const m of middleware) m.pre(request);
  return signal;
}

describe('the bound of every call the certificate code makes', () => {
  it('gives each Secret and webhook configuration call an abort signal that fires after the timeout', async () => {
    const { api, calls } = fakeCore({
      readNamespacedSecret: () => ({ data: {}, metadata: { resourceVersion: '1' } }),
      createNamespacedSecret: () => ({ data: {}, metadata: { resourceVersion: '2' } }),
      patchNamespacedSecret: () => ({ data: {}, metadata: { resourceVersion: '3' } }),
      readMutatingWebhookConfiguration: () => ({ webhooks: [{ name: 'a', clientConfig: {} }] }),
      patchMutatingWebhookConfiguration: () => ({}),
    });
    const store = new KubernetesSecretStore(api as CoreV1Api, undefined, 50);
    await store.read(REF);
    await store.create(REF, { 'tls.crt': 'x' });
    await store.update(REF, { 'tls.crt': 'y' }, '2');
    const patcher = new KubernetesCABundlePatcher(api as AdmissionregistrationV1Api, 50);
    await patcher.setCABundle({ kind: 'MutatingWebhookConfiguration', name: 'm' }, 'CA');
    const signals = calls.map((c) => signalOf(c.options));
    assert.equal(signals.length, 5);
    assert.ok(signals.every((s) => s instanceof AbortSignal && !s.aborted));
    await new Promise((r) => setTimeout(r, 80));
    assert.ok(
      signals.every((s) => s?.aborted),
      'every signal fired after 50 ms',
    );
    assert.equal(
      contentTypeOf(calls[2]?.options),
      'application/merge-patch+json',
      'the patch keeps its content type',
    );
  });
});
