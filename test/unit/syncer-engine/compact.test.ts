import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { compactSlice, trimObject } from '../../../syncer/kube/compact.ts';

const slice: V1EndpointSlice = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: 'nginx-abc',
    namespace: 'default',
    uid: 'u-1',
    resourceVersion: '7',
    creationTimestamp: new Date('2026-01-01T00:00:00Z'),
    labels: { 'kubernetes.io/service-name': 'nginx' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"huge":true}', keep: 'me' },
    managedFields: [{ manager: 'kube-controller-manager', operation: 'Update' }],
  },
  addressType: 'IPv4',
  endpoints: [
    {
      addresses: ['10.10.1.1'],
      conditions: { ready: true, serving: true, terminating: false },
      hostname: 'web-0',
      nodeName: 'member1-node',
      zone: 'member1-zone-a',
      targetRef: { kind: 'Pod', name: 'nginx-1', namespace: 'default', uid: 'p-1' },
      hints: { forZones: [{ name: 'member1-zone-a' }] },
    },
    { addresses: ['10.10.1.2'], conditions: { ready: false } },
  ],
  ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
};

describe('the compact forms of cached objects', () => {
  it('keeps what a copy carries of each endpoint and drops what points into another cluster', () => {
    const c = compactSlice(slice);
    assert.deepEqual(c.endpoints, [
      {
        addresses: ['10.10.1.1'],
        conditions: { ready: true, serving: true, terminating: false },
        hostname: 'web-0',
        nodeName: 'member1-node',
        zone: 'member1-zone-a',
      },
      { addresses: ['10.10.1.2'], conditions: { ready: false } },
    ]);
  });

  it('keeps addressType, ports and the metadata the syncer reads', () => {
    const c = compactSlice(slice);
    assert.equal(c.addressType, 'IPv4');
    assert.deepEqual(c.ports, slice.ports);
    assert.deepEqual(c.metadata, {
      name: 'nginx-abc',
      namespace: 'default',
      uid: 'u-1',
      resourceVersion: '7',
      labels: { 'kubernetes.io/service-name': 'nginx' },
      annotations: { keep: 'me' },
    });
  });

  it('gives a fresh array on every read, so no reader can change the cache', () => {
    const c = compactSlice(slice);
    const first = c.endpoints ?? [];
    first.push({ addresses: ['1.2.3.4'] });
    assert.equal(c.endpoints?.length, 2);
  });

  it('serialises like a plain slice', () => {
    const c = compactSlice(slice);
    assert.deepEqual(JSON.parse(JSON.stringify(c)).endpoints, c.endpoints);
  });

  it('keeps an empty endpoint list empty', () => {
    assert.deepEqual(compactSlice({ ...slice, endpoints: [] }).endpoints, []);
  });

  it('leaves a metadata without annotations or labels without them', () => {
    assert.deepEqual(trimObject({ metadata: { name: 'x', managedFields: [] } }).metadata, { name: 'x' });
  });
});
