import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AdmissionRequest } from '../../../webhook/admission/admission-review.ts';
import { createMutateHandler } from '../../../webhook/admission/handle-mutate.ts';
import { createValidateHandler } from '../../../webhook/admission/handle-validate.ts';
import type { Lookups } from '../../../webhook/lookups/lookups.ts';
import { createShapeCheck } from '../../../webhook/rules/validate-schema.ts';
import { LOAD_BALANCER_WARNING } from '../../../webhook/rules/validate-warnings.ts';
import { admissionRequest, mcs, silentLogger, uuids } from './fixtures.ts';

const shapeCheck = createShapeCheck();
const validate = createValidateHandler({ shapeCheck });
const mutate = createMutateHandler({ shapeCheck, newUuid: uuids('id-1') });
const UID = admissionRequest().uid;

const untouched: { name: string; request: AdmissionRequest }[] = [
  {
    name: 'another kind',
    request: admissionRequest({ kind: { group: '', version: 'v1', kind: 'Service' }, object: { spec: 1 } }),
  },
  {
    name: 'a kind of the same name in another group',
    request: admissionRequest({
      kind: { group: 'example.com', version: 'v1', kind: 'MultiClusterService' },
      object: { spec: { types: 7 } },
    }),
  },
  { name: 'a DELETE', request: admissionRequest({ operation: 'DELETE', object: null }) },
  { name: 'a CONNECT', request: admissionRequest({ operation: 'CONNECT' }) },
  {
    name: 'a status update',
    request: admissionRequest({ operation: 'UPDATE', subResource: 'status', object: {} }),
  },
];

describe('what the handlers leave alone', () => {
  for (const c of untouched) {
    it(`allows ${c.name} untouched in both webhooks`, async () => {
      assert.deepEqual(await validate(c.request), { uid: UID, allowed: true });
      assert.deepEqual(await mutate(c.request), { uid: UID, allowed: true });
    });
  }
});

describe('the validating handler', () => {
  it("allows the seed's MultiClusterService without warnings", async () => {
    assert.deepEqual(await validate(admissionRequest()), { uid: UID, allowed: true });
  });

  it('denies with every error in the message and one cause per field', async () => {
    const object = mcs({
      ports: [
        { name: 'a', port: 0 },
        { name: 'a', port: 80 },
      ],
    });
    const response = await validate(admissionRequest({ object }));
    assert.equal(response.allowed, false);
    assert.equal(response.status?.code, 403);
    assert.equal(response.status?.reason, 'Forbidden');
    assert.equal(
      response.status?.message,
      '[spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive, spec.ports[1].name: Duplicate value: "a"]',
    );
    assert.deepEqual(response.status?.details?.causes, [
      {
        reason: 'FieldValueInvalid',
        field: 'spec.ports[0].port',
        message: 'Invalid value: 0: must be between 1 and 65535, inclusive',
      },
      { reason: 'FieldValueDuplicate', field: 'spec.ports[1].name', message: 'Duplicate value: "a"' },
    ]);
  });

  it('denies a wrong JSON shape before applying any rule', async () => {
    const response = await validate(
      admissionRequest({ object: { metadata: { name: 'x' }, spec: { ports: 'http' } } }),
    );
    assert.equal(response.status?.message, 'spec.ports: Invalid value: "http": must be of type array');
  });

  it('answers 400 when a CREATE carries no object', async () => {
    const response = await validate(admissionRequest({ object: undefined }));
    assert.deepEqual(response.status, {
      status: 'Failure',
      code: 400,
      reason: 'BadRequest',
      message: `CREATE request ${UID} carries no object`,
    });
  });

  it('warns that LoadBalancer is not provisioned', async () => {
    const response = await validate(admissionRequest({ object: mcs({ types: ['LoadBalancer'] }) }));
    assert.deepEqual(response, { uid: UID, allowed: true, warnings: [LOAD_BALANCER_WARNING] });
  });

  it('warns about a deprecated field that reached it unconverted', async () => {
    const response = await validate(admissionRequest({ object: mcs({ serviceProvisionClusters: ['m1'] }) }));
    assert.deepEqual(response.warnings, [
      'spec.serviceProvisionClusters is deprecated and was not converted (is the mutating webhook registered?); spec.providerClusters is set and takes precedence, as in Karmada',
    ]);
  });

  it('denies an UPDATE that changes the types', async () => {
    const request = admissionRequest({
      operation: 'UPDATE',
      oldObject: mcs(),
      object: mcs({ types: ['LoadBalancer'] }),
    });
    const response = await validate(request);
    assert.equal(
      response.status?.message,
      'spec.types: Invalid value: ["CrossCluster"]: MultiClusterService types are immutable',
    );
  });

  it('allows an UPDATE of an object being deleted, so its finalizer can go', async () => {
    const object = {
      ...mcs({ types: ['LoadBalancer'] }),
      metadata: { name: 'nginx', deletionTimestamp: '2026-01-01T00:00:00Z' },
    };
    assert.deepEqual(await validate(admissionRequest({ operation: 'UPDATE', oldObject: mcs(), object })), {
      uid: UID,
      allowed: true,
    });
  });

  it('gives no warnings on an UPDATE that leaves the spec alone', async () => {
    const object = mcs({ types: ['LoadBalancer'] });
    const response = await validate(admissionRequest({ operation: 'UPDATE', oldObject: object, object }));
    assert.deepEqual(response, { uid: UID, allowed: true });
  });

  it('answers 400 when an UPDATE has no old object', async () => {
    const response = await validate(admissionRequest({ operation: 'UPDATE', object: mcs() }));
    assert.equal(response.status?.code, 400);
    assert.equal(response.status?.message, `UPDATE request ${UID} carries no valid oldObject`);
  });

  it('adds the warnings of its lookups to an allowed object', async () => {
    const lookups: Lookups = {
      services: { serviceExists: async () => false },
      clusters: { clusterNames: async () => new Set(['member1']) },
      timeoutMs: 100,
      logger: silentLogger(),
    };
    const response = await createValidateHandler({ shapeCheck, lookups })(admissionRequest());
    assert.deepEqual(response.warnings, [
      'no Service "nginx" in namespace "default": nothing is exported until it exists',
      'spec.consumerClusters[0].name: cluster "member2" is not a known member cluster',
    ]);
  });

  it('does not wait for lookups when it denies', async () => {
    const never = new Promise<never>(() => undefined);
    const lookups: Lookups = {
      services: { serviceExists: () => never },
      timeoutMs: 60_000,
      logger: silentLogger(),
    };
    const response = await createValidateHandler({ shapeCheck, lookups })(
      admissionRequest({ object: mcs({ ports: [{ port: 0 }] }) }),
    );
    assert.equal(response.allowed, false);
  });
});

describe('the mutating handler', () => {
  it('answers with a base64 JSON Patch', async () => {
    const response = await mutate(admissionRequest());
    assert.equal(response.patchType, 'JSONPatch');
    assert.deepEqual(JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString()), [
      {
        op: 'add',
        path: '/metadata/labels',
        value: { 'multiclusterservice.karmada.io/permanent-id': 'id-1' },
      },
    ]);
  });

  it('answers without a patch when nothing changes', async () => {
    const object = mcs();
    object.metadata = {
      ...object.metadata,
      labels: { 'multiclusterservice.karmada.io/permanent-id': 'kept' },
    };
    assert.deepEqual(await mutate(admissionRequest({ object })), { uid: UID, allowed: true });
  });

  it('defaults on UPDATE too, as Karmada', async () => {
    const response = await mutate(admissionRequest({ operation: 'UPDATE', oldObject: mcs(), object: mcs() }));
    assert.equal(response.patchType, 'JSONPatch');
  });

  it('passes on the warnings of defaulting', async () => {
    const object = mcs({ providerClusters: [{ name: 'm1' }, { name: 'm1' }] });
    const response = await mutate(admissionRequest({ object }));
    assert.deepEqual(response.warnings, ['spec.providerClusters: dropped duplicate cluster names "m1"']);
  });

  it('denies a wrong JSON shape instead of patching it', async () => {
    const response = await mutate(
      admissionRequest({ object: { metadata: {}, spec: { providerClusters: 'm1' } } }),
    );
    assert.equal(response.allowed, false);
    assert.equal(
      response.status?.message,
      'spec.providerClusters: Invalid value: "m1": must be of type array',
    );
  });

  it('leaves an object being deleted alone', async () => {
    const object = { ...mcs(), metadata: { name: 'nginx', deletionTimestamp: '2026-01-01T00:00:00Z' } };
    assert.deepEqual(await mutate(admissionRequest({ operation: 'UPDATE', oldObject: mcs(), object })), {
      uid: UID,
      allowed: true,
    });
  });
});
