import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ServiceSpec } from '@kubernetes/client-node';
import { judgeExport, type ValidExport } from '../../../syncer/mcs-api/exports.ts';
import { mergeExports } from '../../../syncer/mcs-api/merge.ts';
import { M1, M2, M3 } from './fixtures.ts';
import { serviceExport, userService } from './mcs-api-fixtures.ts';

function valid(cluster: string, age: number, spec: Partial<V1ServiceSpec> = {}): ValidExport {
  const v = judgeExport(cluster, serviceExport(age), userService(spec));
  assert.equal(v.kind, 'valid');
  return v as ValidExport;
}

const http = { name: 'http', port: 80, targetPort: 8080 };

describe('merging the exports of one Service (KEP-1645 conflict resolution)', () => {
  const cases: {
    name: string;
    exports: ValidExport[];
    type?: string;
    ports?: unknown[];
    conflicts: string[];
    exporters?: string[];
  }[] = [
    {
      name: 'one exporter gives its type and ports, and no conflict',
      exports: [valid(M1, 0)],
      type: 'ClusterSetIP',
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
      conflicts: [],
    },
    {
      name: 'a headless exporter gives a Headless import',
      exports: [valid(M1, 0, { clusterIP: 'None' })],
      type: 'Headless',
      conflicts: [],
    },
    {
      name: 'two exporters that agree raise no conflict',
      exports: [valid(M1, 0), valid(M2, 5)],
      conflicts: [],
      exporters: [M1, M2],
    },
    {
      name: 'ports are the union across exporters, and differing port sets are a PortConflict',
      exports: [valid(M1, 0), valid(M2, 5, { ports: [http, { name: 'stcp', port: 142, protocol: 'SCTP' }] })],
      ports: [
        { name: 'http', protocol: 'TCP', port: 80 },
        { name: 'stcp', protocol: 'SCTP', port: 142 },
      ],
      conflicts: ['PortConflict'],
    },
    {
      name: 'a port name the older export holds keeps the older values, with PortConflict',
      exports: [valid(M2, 5, { ports: [{ name: 'http', port: 81 }] }), valid(M1, 0)],
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
      conflicts: ['PortConflict'],
      exporters: [M1, M2],
    },
    {
      name: 'the older export wins the type, and headlessness differing is a TypeConflict',
      exports: [valid(M1, 0), valid(M2, 5, { clusterIP: 'None' })],
      type: 'ClusterSetIP',
      conflicts: ['TypeConflict'],
    },
    {
      name: 'a headless exporter with every family of its cluster beside a ClusterIP one is a TypeConflict only',
      exports: [
        valid(M1, 0),
        valid(M2, 5, { clusterIP: 'None', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv4', 'IPv6'] }),
      ],
      type: 'ClusterSetIP',
      conflicts: ['TypeConflict'],
    },
    {
      name: 'two ClusterIP exporters of different families are an IPFamilyConflict',
      exports: [valid(M1, 0), valid(M2, 5, { ipFamilies: ['IPv6'] })],
      conflicts: ['IPFamilyConflict'],
    },
    {
      name: 'exports made at the same time are ordered by cluster name',
      exports: [valid(M3, 0, { clusterIP: 'None' }), valid(M2, 0)],
      type: 'ClusterSetIP',
      conflicts: ['TypeConflict'],
      exporters: [M2, M3],
    },
    {
      name: 'sessionAffinity and internalTrafficPolicy differing are each a conflict, joined by commas in order',
      exports: [
        valid(M1, 0, { sessionAffinity: 'ClientIP' }),
        valid(M2, 5, { internalTrafficPolicy: 'Local' }),
      ],
      conflicts: ['SessionAffinityConflict', 'InternalTrafficPolicyConflict'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = mergeExports(c.exports);
      assert.ok(m);
      if (c.type) assert.equal(m.type, c.type);
      if (c.ports) assert.deepEqual(m.ports, c.ports);
      if (c.exporters) assert.deepEqual(m.exporters, c.exporters);
      assert.deepEqual(m.conflicts, c.conflicts);
      assert.equal(m.conflictDetails.length, c.conflicts.length);
    });
  }

  it('no valid export merges to nothing', () => {
    assert.equal(mergeExports([]), undefined);
  });

  it('carries sessionAffinity with its config, internalTrafficPolicy and trafficDistribution from the winner', () => {
    const m = mergeExports([
      valid(M1, 0, { sessionAffinity: 'ClientIP', trafficDistribution: 'PreferClose' }),
    ]);
    assert.equal(m?.sessionAffinity, 'ClientIP');
    assert.deepEqual(m?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    assert.equal(m?.internalTrafficPolicy, 'Cluster');
    assert.equal(m?.trafficDistribution, 'PreferClose');
  });
});

describe('judging one export', () => {
  const cases: { name: string; type?: string; exists?: boolean; want: string }[] = [
    { name: 'a ClusterIP Service is valid', want: 'valid' },
    { name: 'a NodePort Service is valid', type: 'NodePort', want: 'valid' },
    {
      name: 'an ExternalName Service is refused with InvalidServiceType',
      type: 'ExternalName',
      want: 'InvalidServiceType',
    },
    { name: 'a missing Service is refused with NoService', exists: false, want: 'NoService' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const svc = c.exists === false ? undefined : userService(c.type ? { type: c.type } : {});
      const v = judgeExport(M1, serviceExport(0), svc);
      assert.equal(v.kind === 'valid' ? 'valid' : v.reason, c.want);
    });
  }
});
