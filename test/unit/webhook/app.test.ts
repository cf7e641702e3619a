import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import type { AdmissionHandler } from '../../../webhook/admission/admission-scope.ts';
import { createMutateHandler } from '../../../webhook/admission/handle-mutate.ts';
import { createValidateHandler } from '../../../webhook/admission/handle-validate.ts';
import { buildApp, MAX_BODY_BYTES } from '../../../webhook/app.ts';
import { createWebhookMetrics } from '../../../webhook/metrics.ts';
import { createShapeCheck } from '../../../webhook/rules/validate-schema.ts';
import { admissionRequest, mcs, review, silentLogger, uuids } from './fixtures.ts';

const UID = admissionRequest().uid;

/** An app with the real handlers unless some are replaced. */
function testApp(handlers: Partial<Record<'validate' | 'mutate', AdmissionHandler>> = {}) {
  const shapeCheck = createShapeCheck();
  const registry = new Registry();
  const app = buildApp({
    logger: silentLogger(),
    metrics: createWebhookMetrics(registry),
    clock: { now: () => 0 },
    handlers: {
      validate: handlers.validate ?? createValidateHandler({ shapeCheck }),
      mutate: handlers.mutate ?? createMutateHandler({ shapeCheck, newUuid: uuids('id-1') }),
    },
  });
  return { app, registry };
}

const { app, registry } = testApp();
after(() => app.close());

function post(
  url: string,
  payload: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return app.inject({ method: 'POST', url, payload: body, headers });
}

describe('the admission routes', () => {
  it('answer an AdmissionReview that echoes the uid', async () => {
    for (const url of ['/validate-multiclusterservice', '/mutate-multiclusterservice']) {
      const res = await post(url, review(admissionRequest()));
      assert.equal(res.statusCode, 200);
      const body = res.json();
      assert.equal(body.apiVersion, 'admission.k8s.io/v1');
      assert.equal(body.kind, 'AdmissionReview');
      assert.equal(body.response.uid, UID);
      assert.equal(body.response.allowed, true);
    }
  });

  it('carry a bad value in the refusal as Go renders it, in JSON the API server decodes to the same text', async () => {
    const { app: own } = testApp(); // its own app: the metrics test counts the shared one's requests
    after(() => own.close());
    const object = mcs({ providerClusters: [{ name: 'h\x01<\u2028' }] });
    const res = await own.inject({
      method: 'POST',
      url: '/validate-multiclusterservice',
      payload: JSON.stringify(review(admissionRequest({ object }))),
      headers: { 'content-type': 'application/json' },
    });
    const message: string = res.json().response.status.message;
    assert.ok(
      message.startsWith('spec.providerClusters[0].name: Invalid value: "h\\x01<\\u2028": '),
      message,
    );
    // JSON.stringify leaves < as it is where Go's encoder (Karmada's controller-runtime) writes
    // \u003c: both decode to the same message. The text is what must match Kubernetes'.
    assert.ok(res.body.includes('Invalid value: \\"h\\\\x01<\\\\u2028\\"'), res.body);
  });

  it('answer in the AdmissionReview version they were asked in', async () => {
    const res = await post(
      '/validate-multiclusterservice',
      review(admissionRequest(), 'admission.k8s.io/v1beta1'),
    );
    assert.equal(res.json().apiVersion, 'admission.k8s.io/v1beta1');
  });

  it('send the defaults as a base64 JSONPatch with its patchType', async () => {
    const object = mcs({ types: [] });
    const res = await post('/mutate-multiclusterservice', review(admissionRequest({ object })));
    const { response } = res.json();
    assert.equal(response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')), [
      {
        op: 'add',
        path: '/metadata/labels',
        value: { 'multiclusterservice.karmada.io/permanent-id': 'id-1' },
      },
      { op: 'add', path: '/spec/types', value: ['CrossCluster'] },
    ]);
  });

  it('allow another kind untouched', async () => {
    const request = admissionRequest({
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      object: { x: 1 },
    });
    for (const url of ['/validate-multiclusterservice', '/mutate-multiclusterservice']) {
      const res = await post(url, review(request));
      assert.deepEqual(res.json().response, { uid: UID, allowed: true });
    }
  });

  it('refuse an invalid object with its field errors, as an AdmissionReview', async () => {
    const res = await post(
      '/validate-multiclusterservice',
      review(admissionRequest({ object: mcs({ types: ['Foo'] }) })),
    );
    assert.equal(res.statusCode, 200);
    const { response } = res.json();
    assert.equal(response.uid, UID);
    assert.equal(response.allowed, false);
    assert.equal(response.status.message, 'spec.types[0]: Invalid value: "Foo": ExposureType Error');
  });

  const badBodies: { name: string; body: string; headers?: Record<string, string>; message: string }[] = [
    { name: 'a body that is not JSON', body: '{"kind":', message: 'request body is not JSON: ' },
    {
      name: 'JSON that is not an AdmissionReview',
      body: JSON.stringify({ kind: 'Pod' }),
      message: 'request body is not an AdmissionReview: kind is "Pod"',
    },
    {
      name: 'an AdmissionReview of an unknown version',
      body: JSON.stringify({ ...review(admissionRequest()), apiVersion: 'admission.k8s.io/v2' }),
      message: 'AdmissionReview apiVersion "admission.k8s.io/v2" is not supported',
    },
    {
      name: 'an AdmissionReview without a request',
      body: JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }),
      message: 'AdmissionReview has no request',
    },
    {
      name: 'a request without a uid',
      body: JSON.stringify(review({ ...admissionRequest(), uid: undefined })),
      message: 'AdmissionReview request has no uid',
    },
    { name: 'an empty body', body: '', message: 'request body is empty' },
    {
      name: 'JSON sent as text/plain',
      body: 'not json',
      headers: { 'content-type': 'text/plain' },
      message: 'request body is not JSON: ',
    },
    {
      name: 'a malformed Content-Type header',
      body: '{}',
      headers: { 'content-type': 'json please' },
      message: '',
    },
  ];
  for (const c of badBodies) {
    it(`answer 400 with a message to ${c.name}`, async () => {
      const res = await post('/validate-multiclusterservice', c.body, c.headers);
      assert.equal(res.statusCode, 400);
      const body = res.json();
      assert.equal(body.kind, 'Status');
      assert.equal(body.code, 400);
      assert.ok(body.message.startsWith(c.message), body.message);
    });
  }

  it('answer 413 to a body over 7 MiB', async () => {
    const huge = JSON.stringify(review({ ...admissionRequest(), padding: 'x'.repeat(MAX_BODY_BYTES) }));
    const res = await post('/mutate-multiclusterservice', huge);
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().message, `request body is larger than ${MAX_BODY_BYTES} bytes`);
  });

  it('accept a body of exactly 7 MiB', async () => {
    const base = JSON.stringify(review({ ...admissionRequest(), padding: '' }));
    const body = JSON.stringify(
      review({ ...admissionRequest(), padding: 'x'.repeat(MAX_BODY_BYTES - base.length) }),
    );
    assert.equal(body.length, MAX_BODY_BYTES);
    const res = await post('/mutate-multiclusterservice', body);
    assert.equal(res.statusCode, 200);
  });

  it('turn a failing handler into allowed: false with code 500, the uid and no stack trace', async () => {
    const failing = testApp({
      validate: async () => {
        throw new Error('lookup table exploded');
      },
    });
    const res = await failing.app.inject({
      method: 'POST',
      url: '/validate-multiclusterservice',
      payload: review(admissionRequest()),
    });
    await failing.app.close();
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json().response, {
      uid: UID,
      allowed: false,
      status: {
        status: 'Failure',
        code: 500,
        reason: 'InternalError',
        message: 'failed to validate CREATE of MultiClusterService default/nginx: lookup table exploded',
      },
    });
  });

  it('keep the uid even when a handler answers with another one', async () => {
    const confused = testApp({ mutate: async () => ({ uid: 'other', allowed: true }) });
    const res = await confused.app.inject({
      method: 'POST',
      url: '/mutate-multiclusterservice',
      payload: review(admissionRequest()),
    });
    await confused.app.close();
    assert.equal(res.json().response.uid, UID);
  });

  it('count requests by webhook, operation and result, and time them', async () => {
    const metrics = await registry.getMetricsAsJSON();
    const requests = metrics.find((m) => m.name === 'mcs_bridge_webhook_requests_total');
    const values = (requests?.values ?? []) as { labels: Record<string, string>; value: number }[];
    const count = (webhook: string, operation: string, result: string) =>
      values.find(
        (v) => v.labels.webhook === webhook && v.labels.operation === operation && v.labels.result === result,
      )?.value;
    assert.ok((count('validate', 'CREATE', 'allowed') ?? 0) >= 2);
    assert.equal(count('validate', 'CREATE', 'denied'), 1);
    assert.ok((count('mutate', 'CREATE', 'patched') ?? 0) >= 2);
    assert.equal(count('validate', 'unknown', 'bad_request'), badBodies.length);
    assert.equal(count('mutate', 'unknown', 'bad_request'), 1);
    const text = await registry.metrics();
    assert.match(text, /mcs_bridge_webhook_request_duration_seconds_count\{webhook="validate"\} \d+/);
  });

  it('count a bad request by its webhook when the API server calls with a query, as it does (?timeout=10s)', async () => {
    const t = testApp();
    const res = await t.app.inject({
      method: 'POST',
      url: '/validate-multiclusterservice?timeout=10s',
      payload: 'x'.repeat(MAX_BODY_BYTES + 1),
      headers: { 'content-type': 'application/json' },
    });
    await t.app.close();
    assert.equal(res.statusCode, 413);
    assert.match(
      await t.registry.metrics(),
      /mcs_bridge_webhook_requests_total\{webhook="validate",operation="unknown",result="bad_request"\} 1/,
    );
  });

  it('answer 404 elsewhere', async () => {
    const res = await post('/validate-something-else', review(admissionRequest()));
    assert.equal(res.statusCode, 404);
  });
});
