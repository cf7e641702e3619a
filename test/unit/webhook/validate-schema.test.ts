import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFieldError } from '../../../webhook/go-render/field-errors.ts';
import { createShapeCheck } from '../../../webhook/rules/validate-schema.ts';
import { mcs } from './fixtures.ts';

const check = createShapeCheck();
const errorsOf = (object: unknown) => check(object).map(formatFieldError);

describe('the JSON shape check', () => {
  it("passes the seed's MultiClusterService", () => assert.deepEqual(errorsOf(mcs()), []));

  it('passes unknown fields, as the API server prunes them anyway', () => {
    assert.deepEqual(errorsOf({ ...mcs(), extra: 1, spec: { ...mcs().spec, future: true } }), []);
  });

  it('passes optional fields set to null', () => {
    assert.deepEqual(
      errorsOf({ metadata: { name: 'a', labels: null }, spec: { types: null, ports: null } }),
      [],
    );
  });

  it('passes every deprecated field', () => {
    const spec = {
      serviceProvisionClusters: ['m1'],
      serviceConsumptionClusters: ['m2'],
      range: { clusterNames: ['m3'] },
    };
    assert.deepEqual(errorsOf(mcs(spec)), []);
  });

  it('reports every mismatch with its field path', () => {
    const object = {
      metadata: { name: 'a', labels: { x: 1 } },
      spec: {
        types: 'CrossCluster',
        ports: [{ name: 'http' }, { port: '80' }],
        providerClusters: [{}],
        consumerClusters: ['member2'],
      },
    };
    assert.deepEqual(errorsOf(object), [
      'metadata.labels.x: Invalid value: 1: must be of type string',
      'spec.types: Invalid value: "CrossCluster": must be of type array',
      'spec.ports[0].port: Required value',
      'spec.ports[1].port: Invalid value: "80": must be of type integer',
      'spec.providerClusters[0].name: Required value',
      'spec.consumerClusters[0]: Invalid value: "member2": must be of type object',
    ]);
  });

  it('refuses a port that is not a whole number', () => {
    assert.deepEqual(errorsOf(mcs({ ports: [{ port: 80.5 }] })), [
      'spec.ports[0].port: Invalid value: 80.5: must be of type integer',
    ]);
  });

  it('refuses an object that is not a JSON object', () => {
    assert.deepEqual(errorsOf([]), ['<root>: Invalid value: []: must be of type object']);
  });
});
