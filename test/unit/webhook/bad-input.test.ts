/**
 * The inputs the fuzzer (and a reading of the code) found the webhook answering badly, each
 * pinned down: 500s for deep nesting and wrong types, seconds of work and hundreds of megabytes
 * of answer for a list of millions of wrong values, megabytes of a value echoed back, a stalled
 * client never cut off.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { MAX_WARNINGS } from '../../../webhook/admission/admission-review.ts';
import { createMutateHandler } from '../../../webhook/admission/handle-mutate.ts';
import { createValidateHandler } from '../../../webhook/admission/handle-validate.ts';
import { buildApp, REQUEST_TIMEOUT_MS, ROUTES } from '../../../webhook/app.ts';
import { MAX_LISTED_ERRORS } from '../../../webhook/go-render/field-errors.ts';
import { createWebhookMetrics } from '../../../webhook/metrics.ts';
import { createShapeCheck } from '../../../webhook/rules/validate-schema.ts';
import { mcs, silentLogger, uuids } from './fixtures.ts';

const shapeCheck = createShapeCheck();
const app = buildApp({
  logger: silentLogger(),
  metrics: createWebhookMetrics(new Registry()),
  clock: { now: () => 0 },
  handlers: {
    validate: createValidateHandler({
      shapeCheck,
      lookups: {
        clusters: { clusterNames: async () => new Set(['member1']) },
        timeoutMs: 1000,
        logger: pino({ level: 'silent' }),
      },
    }),
    mutate: createMutateHandler({ shapeCheck, newUuid: uuids('id-1') }),
  },
});
after(() => app.close());

const KIND = '{"group":"networking.karmada.io","version":"v1alpha1","kind":"MultiClusterService"}';
const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
/** A review whose request is given as JSON text, so it can hold what JSON.stringify cannot make. */
const reviewText = (request: string) =>
  `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":${request}}`;
const requestText = (object: string, extra = '') =>
  `{"uid":"u1","kind":${KIND},"operation":"CREATE","namespace":"default","object":${object}${extra}}`;

/** The parts of an answer the cases read: an AdmissionReview, or the Status of a 400. */
interface Answer {
  message: string;
  response: {
    patch: string;
    warnings: string[];
    status: { message: string; details: { causes: unknown[] } };
  };
}

async function post(url: string, payload: string) {
  const res = await app.inject({
    method: 'POST',
    url,
    payload,
    headers: { 'content-type': 'application/json' },
  });
  return { status: res.statusCode, length: res.body.length, body: res.json() as Answer };
}

const cases: {
  name: string;
  url?: string;
  body: string;
  status: number;
  check: (body: Answer) => void;
}[] = [
  {
    name: 'a request whose namespace is an object is a bad request, not a 500',
    body: reviewText(requestText('{"metadata":{"name":"A"}}', ',"namespace":{"toString":1}')),
    status: 400,
    check: (b) =>
      assert.equal(b.message, 'AdmissionReview request u1 is malformed: its namespace is not a string'),
  },
  {
    name: 'a generateName that is a number is refused by the shape check, not a 500',
    body: reviewText(requestText('{"metadata":{"name":"a","generateName":5}}')),
    status: 200,
    check: (b) =>
      assert.equal(
        b.response.status.message,
        'metadata.generateName: Invalid value: 5: must be of type string',
      ),
  },
  {
    name: 'an UPDATE of an unchanged spec nested 100,000 levels deep is compared without overflowing the stack',
    body: reviewText(
      `{"uid":"u1","kind":${KIND},"operation":"UPDATE","object":{"metadata":{"name":"a"},"spec":{"x":${deep(100_000)}}},"oldObject":{"metadata":{"name":"a"},"spec":{"x":${deep(100_000)}}}}`,
    ),
    status: 200,
    check: (b) => assert.deepEqual(b.response, { uid: 'u1', allowed: true }),
  },
  {
    name: 'a type nested 20,000 levels deep is shown by its beginning, not a 500',
    body: reviewText(requestText(`{"metadata":{"name":"a"},"spec":{"types":[${deep(20_000)}]}}`)),
    status: 200,
    check: (b) =>
      assert.equal(
        b.response.status.message,
        `spec.types[0]: Invalid value: ${'['.repeat(256)}... (more than 256 characters): must be of type string`,
      ),
  },
  {
    name: 'a review whose kind is nested too deeply to print is a bad request, not a 500',
    body: `{"apiVersion":"admission.k8s.io/v1","kind":${deep(20_000)}}`,
    status: 400,
    check: (b) =>
      assert.equal(b.message, 'request body is not an AdmissionReview: kind is <a deeply nested array>'),
  },
  {
    name: 'three million wrong types list the first 50 errors and say there are more',
    body: reviewText(
      requestText(JSON.stringify({ metadata: { name: 'a' }, spec: { types: Array(3e6).fill(1) } })),
    ),
    status: 200,
    check: (b) => {
      assert.equal(b.response.status.details.causes.length, MAX_LISTED_ERRORS);
      assert.match(b.response.status.message, /, and more errors \(only the first 50 are listed\)\]$/);
    },
  },
  {
    name: 'three hundred thousand bad ports list the first 50 errors and say there are more',
    body: reviewText(
      requestText(
        JSON.stringify({ metadata: { name: 'a' }, spec: { ports: Array(3e5).fill({ name: 'A', port: 0 }) } }),
      ),
    ),
    status: 200,
    check: (b) => {
      assert.equal(b.response.status.details.causes.length, MAX_LISTED_ERRORS);
      assert.match(b.response.status.message, /and more errors/);
    },
  },
  {
    name: 'a name of a million characters is shown cut, with its length',
    body: reviewText(requestText(JSON.stringify({ metadata: { name: 'a'.repeat(1e6) } }))),
    status: 200,
    check: (b) => {
      assert.ok(b.response.status.message.length < 4096, 'a short message');
      assert.match(
        b.response.status.message,
        /^metadata\.name: Invalid value: "a+\.\.\. \(1000002 characters\): must be no more than 63 characters/,
      );
    },
  },
  {
    name: 'a thousand and one unknown clusters give 20 warnings and a count of the rest',
    url: ROUTES.validate,
    body: reviewText(
      requestText(
        JSON.stringify(
          mcs({ providerClusters: Array.from({ length: 1000 }, (_, i) => ({ name: `c${i}` })) }),
        ),
      ),
    ),
    status: 200,
    check: (b) => {
      assert.equal(b.response.warnings.length, MAX_WARNINGS + 1);
      assert.equal(b.response.warnings.at(-1), 'and 981 more warnings');
    },
  },
  {
    name: 'duplicate cluster selectors are patched as names alone, without their other fields',
    url: ROUTES.mutate,
    body: reviewText(
      requestText(
        JSON.stringify({
          metadata: { name: 'a', labels: { 'multiclusterservice.karmada.io/permanent-id': 'x' } },
          spec: { types: ['CrossCluster'], providerClusters: [{ name: 'm1', extra: [[1]] }, { name: 'm1' }] },
        }),
      ),
    ),
    status: 200,
    check: (b) =>
      assert.deepEqual(JSON.parse(Buffer.from(b.response.patch, 'base64').toString()), [
        { op: 'add', path: '/spec/providerClusters', value: [{ name: 'm1' }] },
      ]),
  },
];

describe('bad input the webhook once answered badly', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const res = await post(c.url ?? ROUTES.validate, c.body);
      assert.equal(res.status, c.status, JSON.stringify(res.body).slice(0, 300));
      c.check(res.body);
      assert.ok(res.length < 64 * 1024, `an answer of ${res.length} characters`);
    });
  }

  it('cuts off a request that takes longer than the API server would wait, headers included', () => {
    assert.equal(app.server.requestTimeout, REQUEST_TIMEOUT_MS, 'Fastify would leave it at 0: never');
    assert.ok(app.server.headersTimeout <= REQUEST_TIMEOUT_MS);
  });
});
