import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Service } from '@kubernetes/client-node';
import { serviceForUpdate } from '../../../syncer/engine/service-update.ts';

/** A copy as a member's API server holds it: allocated and defaulted fields filled in. */
const existing: V1Service = {
  metadata: {
    name: 'nginx',
    namespace: 'default',
    resourceVersion: '7',
    uid: 'u1',
    labels: { 'app.kubernetes.io/managed-by': 'mcs-bridge', team: 'web' },
    managedFields: [{ manager: 'mcs-bridge-syncer' }],
  },
  spec: {
    type: 'ClusterIP',
    clusterIP: '10.98.0.7',
    clusterIPs: ['10.98.0.7'],
    ipFamilies: ['IPv4'],
    ipFamilyPolicy: 'SingleStack',
    internalTrafficPolicy: 'Cluster',
    sessionAffinity: 'None',
    ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
    selector: { app: 'nginx', tier: 'front' },
  },
  status: { loadBalancer: {} },
};

const cases: Array<[string, Partial<V1Service>['spec'], string | undefined, (s: V1Service) => void]> = [
  [
    'keeps the cluster IP and the families the member allocated when the copy leaves them unset',
    { type: 'ClusterIP', ports: [{ port: 8080, protocol: 'TCP' }], selector: { app: 'nginx' } },
    undefined,
    (s) => {
      assert.equal(s.spec?.clusterIP, '10.98.0.7');
      assert.deepEqual(s.spec?.clusterIPs, ['10.98.0.7']);
      assert.deepEqual(s.spec?.ipFamilies, ['IPv4']);
      assert.equal(s.spec?.internalTrafficPolicy, 'Cluster');
    },
  ],
  [
    'replaces every owned field, dropping what the hub no longer sets (a selector key, session affinity)',
    { type: 'ClusterIP', ports: [{ port: 8080, protocol: 'TCP' }], selector: { app: 'nginx' } },
    undefined,
    (s) => {
      assert.deepEqual(s.spec?.ports, [{ port: 8080, protocol: 'TCP' }]);
      assert.deepEqual(s.spec?.selector, { app: 'nginx' });
      assert.equal(s.spec?.sessionAffinity, undefined);
    },
  ],
  [
    'goes back to single-stack with the primary family and IP only',
    { type: 'ClusterIP', ipFamilyPolicy: 'SingleStack', ports: [{ port: 80 }] },
    undefined,
    (s) => {
      assert.deepEqual(s.spec?.ipFamilies, ['IPv4']);
      assert.deepEqual(s.spec?.clusterIPs, ['10.98.0.7']);
    },
  ],
  [
    'carries the resourceVersion it is given, else the existing one, as the precondition of the PUT',
    { ports: [{ port: 80 }] },
    '5',
    (s) => assert.equal(s.metadata?.resourceVersion, '5'),
  ],
  [
    'sends neither status nor managedFields, and keeps labels others set next to ours',
    { ports: [{ port: 80 }] },
    undefined,
    (s) => {
      assert.equal(s.status, undefined);
      assert.equal(s.metadata?.managedFields, undefined);
      assert.equal(s.metadata?.resourceVersion, '7');
      assert.deepEqual(s.metadata?.labels, {
        'app.kubernetes.io/managed-by': 'mcs-bridge',
        team: 'web',
        copy: 'yes',
      });
    },
  ],
];

describe('the Service to PUT over a drifted copy', () => {
  for (const [name, spec, rv, check] of cases) {
    it(name, () => {
      const dualStack = name.includes('single-stack')
        ? {
            ...existing,
            spec: {
              ...existing.spec,
              ipFamilies: ['IPv4', 'IPv6'],
              clusterIPs: ['10.98.0.7', 'fd00::7'],
              ipFamilyPolicy: 'PreferDualStack',
            },
          }
        : existing;
      const desired: V1Service = { metadata: { name: 'nginx', labels: { copy: 'yes' } }, spec };
      const before = structuredClone(dualStack);
      check(serviceForUpdate(dualStack, desired, rv));
      assert.deepEqual(dualStack, before, 'the cached object is not modified');
    });
  }
});
