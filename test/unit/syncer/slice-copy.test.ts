import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCollectable, markedNotReady, sliceCopy, sliceDrift } from '../../../syncer/plan/slices.ts';
import { localSlice, M1, M2, NS, SVC, served } from './fixtures.ts';

describe('the dispatched copy of a slice', () => {
  it('holds addresses, conditions, hostname, nodeName, zone and ports, with our labels and annotation', () => {
    const source = localSlice(M1, 'nginx-7xk2p', ['10.10.0.5']);
    const endpoint = source.endpoints?.[0];
    if (endpoint) endpoint.hostname = 'web-0';
    assert.deepEqual(sliceCopy(source, M1, NS, 'member1-nginx-7xk2p'), {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        name: 'member1-nginx-7xk2p',
        namespace: 'default',
        labels: {
          'kubernetes.io/service-name': 'nginx',
          'endpointslice.kubernetes.io/managed-by': 'syncer.mcs-bridge.io',
          'multicluster.kubernetes.io/source-cluster': 'member1',
        },
        annotations: { 'endpointslice.karmada.io/provision-cluster': 'member1' },
      },
      addressType: 'IPv4',
      endpoints: [
        {
          addresses: ['10.10.0.5'],
          conditions: { ready: true, serving: true, terminating: false },
          hostname: 'web-0',
          nodeName: 'member1-node',
          zone: 'zone-a',
        },
      ],
      ports: [{ name: '', protocol: 'TCP', port: 80 }],
    });
  });

  it('drops the Pod reference and the topology hints, which mean nothing in another cluster', () => {
    const copy = sliceCopy(localSlice(M1, 'nginx-7xk2p', ['10.10.0.5']), M1, NS, 'x');
    assert.equal(copy.endpoints?.[0]?.targetRef, undefined);
    assert.equal(copy.endpoints?.[0]?.hints, undefined);
  });

  it('carries IPv6 addresses and the address type unchanged', () => {
    const source = localSlice(M1, 'nginx-v6', ['fd00:10::5', 'fd00:10::6'], { addressType: 'IPv6' });
    const copy = sliceCopy(source, M1, NS, 'member1-nginx-v6');
    assert.equal(copy.addressType, 'IPv6');
    assert.deepEqual(
      (copy.endpoints ?? []).map((e) => e.addresses),
      [['fd00:10::5'], ['fd00:10::6']],
    );
  });

  it("keeps the headless label of a headless Service's slice, so kube-proxy skips the copy as it skips the local one", () => {
    const source = localSlice(M1, 'nginx-h', ['10.10.0.5'], {
      labels: { 'service.kubernetes.io/headless': '' },
    });
    assert.equal(sliceCopy(source, M1, NS, 'x').metadata?.labels?.['service.kubernetes.io/headless'], '');
  });

  it('marks every endpoint not ready and leaves serving and terminating as they were', () => {
    const copy = markedNotReady(sliceCopy(localSlice(M1, 's', ['10.10.0.5', '10.10.0.6']), M1, NS, 'x'));
    assert.deepEqual(
      (copy.endpoints ?? []).map((e) => e.conditions),
      [
        { ready: false, serving: true, terminating: false },
        { ready: false, serving: true, terminating: false },
      ],
    );
  });

  it('shows no drift once the API server has stored it, and drift in the endpoints when one changes', () => {
    const desired = sliceCopy(localSlice(M1, 's', ['10.10.0.5']), M1, NS, 'member1-s');
    const stored = served.slice({ ...desired, ports: [{ port: 80 }] });
    assert.deepEqual(sliceDrift(stored, desired), []);
    const changed = sliceCopy(localSlice(M1, 's', ['10.10.0.6']), M1, NS, 'member1-s');
    assert.deepEqual(sliceDrift(stored, changed), ['endpoints']);
  });
});

describe('collecting slices (the loop guard)', () => {
  const cases: {
    name: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    service?: string;
    collected: boolean;
  }[] = [
    { name: "kube-controller-manager's slice", collected: true },
    {
      name: "the mirroring controller's slice",
      labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' },
      collected: true,
    },
    {
      name: "a user's own controller's slice",
      labels: { 'endpointslice.kubernetes.io/managed-by': 'my-controller.example.com' },
      collected: true,
    },
    {
      name: 'a slice with no managed-by label',
      labels: { 'endpointslice.kubernetes.io/managed-by': '' },
      collected: true,
    },
    {
      name: 'a slice naming its own cluster as source',
      labels: { 'multicluster.kubernetes.io/source-cluster': M2 },
      collected: true,
    },
    {
      name: 'our own copy',
      labels: { 'endpointslice.kubernetes.io/managed-by': 'syncer.mcs-bridge.io' },
      collected: false,
    },
    {
      name: "Karmada's dispatched copy",
      labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-dispatch-controller.karmada.io' },
      collected: false,
    },
    {
      name: "Karmada's ServiceImport slice",
      labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.karmada.io' },
      collected: false,
    },
    {
      name: 'a slice with the provision-cluster annotation',
      annotations: { 'endpointslice.karmada.io/provision-cluster': M1 },
      collected: false,
    },
    {
      name: "another MCS implementation's import",
      labels: { 'multicluster.kubernetes.io/source-cluster': M1 },
      collected: false,
    },
    { name: 'a slice of another Service', service: 'web', collected: false },
  ];
  for (const c of cases) {
    it(`${c.collected ? 'collects' : 'skips'} ${c.name}`, () => {
      const slice = localSlice(M2, 's', ['10.20.0.5'], {
        labels: c.labels,
        annotations: c.annotations,
        service: c.service,
      });
      if (c.labels?.['endpointslice.kubernetes.io/managed-by'] === '') {
        delete slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'];
      }
      assert.equal(isCollectable(slice, M2, SVC), c.collected);
    });
  }
});
