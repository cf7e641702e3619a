/**
 * spec.ports[i].port on both routes: whether the value is a port number at all (an integer that
 * fits Karmada's int32) is decided alike by the mutating and the validating webhook, with the same
 * message; the range 1–65535 is a validation rule, applied by the validating webhook only, as in
 * Karmada. Bodies are sent as raw JSON text, so literals such as 80.0 and 1e3 arrive as written.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { createMutateHandler } from '../../../webhook/admission/handle-mutate.ts';
import { createValidateHandler } from '../../../webhook/admission/handle-validate.ts';
import { buildApp, ROUTES } from '../../../webhook/app.ts';
import { createWebhookMetrics } from '../../../webhook/metrics.ts';
import { createShapeCheck } from '../../../webhook/rules/validate-schema.ts';
import { silentLogger, uuids } from './fixtures.ts';

const shapeCheck = createShapeCheck();
const app = buildApp({
  logger: silentLogger(),
  metrics: createWebhookMetrics(new Registry()),
  clock: { now: () => 0 },
  handlers: {
    validate: createValidateHandler({ shapeCheck }),
    mutate: createMutateHandler({ shapeCheck, newUuid: uuids('id-1') }),
  },
});
after(() => app.close());

/** A CREATE of an MCS whose only port is the given JSON literal. */
function review(literal: string): string {
  const object = `{"apiVersion":"networking.karmada.io/v1alpha1","kind":"MultiClusterService","metadata":{"name":"nginx","namespace":"default","labels":{"multiclusterservice.karmada.io/permanent-id":"x"}},"spec":{"types":["CrossCluster"],"ports":[{"port":${literal}}]}}`;
  return `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"networking.karmada.io","version":"v1alpha1","kind":"MultiClusterService"},"operation":"CREATE","namespace":"default","object":${object}}}`;
}

async function answer(url: string, literal: string): Promise<{ allowed: boolean; message?: string }> {
  const res = await app.inject({
    method: 'POST',
    url,
    payload: review(literal),
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(res.statusCode, 200, res.body);
  const { response } = res.json() as { response: { allowed: boolean; status?: { message: string } } };
  return { allowed: response.allowed, ...(response.status ? { message: response.status.message } : {}) };
}

const INT32 = 'must be a 32-bit integer (format int32: -2147483648 to 2147483647)';
const RANGE = 'must be between 1 and 65535, inclusive';

const cases: { name: string; literal: string; mutate: string | 'allowed'; validate: string | 'allowed' }[] = [
  { name: 'port 80 is allowed by both routes', literal: '80', mutate: 'allowed', validate: 'allowed' },
  {
    name: 'port 80.0 is 80 to both routes (JSON cannot tell them apart; the API server sends it as 80)',
    literal: '80.0',
    mutate: 'allowed',
    validate: 'allowed',
  },
  {
    name: 'port 1e3 is 1000 to both routes (the API server sends it as 1000)',
    literal: '1e3',
    mutate: 'allowed',
    validate: 'allowed',
  },
  {
    name: 'port 80.5 is refused by both routes with the same message',
    literal: '80.5',
    mutate: 'spec.ports[0].port: Invalid value: 80.5: must be of type integer',
    validate: 'spec.ports[0].port: Invalid value: 80.5: must be of type integer',
  },
  {
    name: 'port "80", a string, is refused by both routes with the same message',
    literal: '"80"',
    mutate: 'spec.ports[0].port: Invalid value: "80": must be of type integer',
    validate: 'spec.ports[0].port: Invalid value: "80": must be of type integer',
  },
  {
    name: 'port 2147483648, beyond int32, is refused by both routes with the same message',
    literal: '2147483648',
    mutate: `spec.ports[0].port: Invalid value: 2147483648: ${INT32}`,
    validate: `spec.ports[0].port: Invalid value: 2147483648: ${INT32}`,
  },
  {
    name: 'port -2147483649, below int32, is refused by both routes with the same message',
    literal: '-2147483649',
    mutate: `spec.ports[0].port: Invalid value: -2147483649: ${INT32}`,
    validate: `spec.ports[0].port: Invalid value: -2147483649: ${INT32}`,
  },
  {
    name: 'port 1e21 is refused by both routes, shown as Go shows the float64',
    literal: '1e21',
    mutate: `spec.ports[0].port: Invalid value: 1e+21: ${INT32}`,
    validate: `spec.ports[0].port: Invalid value: 1e+21: ${INT32}`,
  },
  {
    name: 'port 2147483647 fits int32: only the validating route refuses it, for its range, as Karmada',
    literal: '2147483647',
    mutate: 'allowed',
    validate: `spec.ports[0].port: Invalid value: 2147483647: ${RANGE}`,
  },
  {
    name: 'port -1 fits int32: only the validating route refuses it, for its range, as Karmada',
    literal: '-1',
    mutate: 'allowed',
    validate: `spec.ports[0].port: Invalid value: -1: ${RANGE}`,
  },
];

describe('a port on both routes', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const [mutate, validate] = await Promise.all([
        answer(ROUTES.mutate, c.literal),
        answer(ROUTES.validate, c.literal),
      ]);
      assert.deepEqual(
        mutate,
        c.mutate === 'allowed' ? { allowed: true } : { allowed: false, message: c.mutate },
      );
      assert.deepEqual(
        validate,
        c.validate === 'allowed' ? { allowed: true } : { allowed: false, message: c.validate },
      );
    });
  }
});
