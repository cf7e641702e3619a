import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1ServicePort } from '@kubernetes/client-node';
import { planExport } from '../../../syncer/mcs-api/plan.ts';
import {
  LABEL_MCS_API_SERVICE_NAME,
  LABEL_SERVICE_NAME,
  LABEL_SOURCE_CLUSTER,
} from '../../../syncer/names.ts';
import { M1, M2, M3 } from './fixtures.ts';
import {
  convergeExport,
  describedExport,
  exportCondition,
  exportMember,
  exportMemberOf,
  exportSnapshot,
  serviceExport,
  userService,
} from './mcs-api-fixtures.ts';

/** member1 exports nginx (two endpoints); member2 and member3 do not. */
function oneExporter(spec = {}) {
  return exportSnapshot([
    exportMember(M1, {
      service: userService(spec),
      serviceExport: serviceExport(0),
      ips: ['10.10.0.5', '10.10.0.6'],
    }),
    exportMember(M2),
    exportMember(M3),
  ]);
}

describe('the MCS API front end', () => {
  it('gives every member a ClusterSetIP ServiceImport whose IP is its backing Service’s, and converges in two rounds', () => {
    const { state, rounds } = convergeExport(oneExporter());
    // Round one writes the backing Service, round two the IP it was given into the import.
    assert.equal(rounds, 2);
    for (const name of [M1, M2, M3]) {
      const m = exportMemberOf(state, name);
      assert.equal(m.serviceImport?.spec?.type, 'ClusterSetIP', name);
      assert.equal(m.service?.metadata?.name, 'clusterset-nginx', name);
      assert.deepEqual(m.serviceImport?.spec?.ips, m.service?.spec?.clusterIPs, name);
      assert.deepEqual(m.serviceImport?.spec?.ipFamilies, ['IPv4'], name);
      assert.deepEqual(m.serviceImport?.spec?.ports, [{ name: 'http', protocol: 'TCP', port: 80 }], name);
      assert.equal(m.service?.spec?.selector, undefined, `${name}: the backing Service has no selector`);
    }
  });

  it('plans nothing once converged', () => {
    const { state } = convergeExport(oneExporter());
    assert.deepEqual(describedExport(planExport(state)), []);
  });

  it('copies every exporter’s endpoints behind the backing Service of every member, the exporter’s own included', () => {
    const { state } = convergeExport(oneExporter());
    for (const name of [M1, M2, M3]) {
      const copies = exportMemberOf(state, name).endpointSlices;
      assert.equal(copies.length, 1, name);
      const labels = copies[0]?.metadata?.labels ?? {};
      assert.equal(labels[LABEL_SERVICE_NAME], 'clusterset-nginx');
      assert.equal(labels[LABEL_MCS_API_SERVICE_NAME], 'nginx');
      assert.equal(labels[LABEL_SOURCE_CLUSTER], M1);
      assert.equal(copies[0]?.metadata?.name, 'clusterset-member1-nginx-member1');
      assert.deepEqual(
        copies[0]?.endpoints?.map((e) => e.addresses[0]),
        ['10.10.0.5', '10.10.0.6'],
      );
    }
  });

  it('never touches the exported Service itself, so its cluster.local name stays local', () => {
    const s = oneExporter();
    const plan = planExport(s);
    assert.ok(plan.actions.every((a) => !(a.kind === 'Service' && a.name === 'nginx')));
    assert.ok(plan.actions.every((a) => !(a.kind === 'EndpointSlice' && a.name.startsWith('nginx'))));
  });

  it('gives a headless export Headless imports with no IPs, and headless copies', () => {
    const { state } = convergeExport(oneExporter({ clusterIP: 'None' }));
    for (const name of [M1, M2, M3]) {
      const m = exportMemberOf(state, name);
      assert.equal(m.serviceImport?.spec?.type, 'Headless');
      assert.equal(m.serviceImport?.spec?.ips, undefined);
      assert.equal(m.service?.spec?.clusterIP, 'None');
      assert.equal(m.endpointSlices[0]?.metadata?.labels?.['service.kubernetes.io/headless'], 'true');
    }
  });

  it('carries sessionAffinity, internalTrafficPolicy and trafficDistribution into the imports', () => {
    const { state } = convergeExport(
      oneExporter({
        sessionAffinity: 'ClientIP',
        internalTrafficPolicy: 'Local',
        trafficDistribution: 'PreferClose',
      }),
    );
    const spec = exportMemberOf(state, M2).serviceImport?.spec;
    assert.equal(spec?.sessionAffinity, 'ClientIP');
    assert.deepEqual(spec?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    assert.equal(spec?.internalTrafficPolicy, 'Local');
    assert.equal(spec?.trafficDistribution, 'PreferClose');
  });

  it('reports a valid export as Valid, Ready (Exported) and without conflicts', () => {
    const { state } = convergeExport(oneExporter());
    assert.equal(exportCondition(state, M1, 'Valid'), 'True/Valid');
    assert.equal(exportCondition(state, M1, 'Ready'), 'True/Exported');
    assert.equal(exportCondition(state, M1, 'Conflict'), 'False/NoConflicts');
  });

  it('removes every ServiceImport, backing Service and copy after the last unexport', () => {
    const { state } = convergeExport(oneExporter());
    const unexported = {
      ...state,
      clusters: state.clusters.map((m) => (m.name === M1 ? { ...m, serviceExport: undefined } : m)),
    };
    const after = convergeExport(unexported).state;
    for (const m of after.clusters) {
      assert.equal(m.serviceImport, undefined, m.name);
      assert.equal(m.service, undefined, m.name);
      assert.deepEqual(m.endpointSlices, [], m.name);
    }
  });

  it('keeps the import while a second exporter remains, with only its endpoints', () => {
    const two = exportSnapshot([
      exportMember(M1, { service: userService(), serviceExport: serviceExport(0), ips: ['10.10.0.5'] }),
      exportMember(M2, { service: userService(), serviceExport: serviceExport(5), ips: ['10.20.0.7'] }),
      exportMember(M3),
    ]);
    const { state } = convergeExport(two);
    assert.equal(exportMemberOf(state, M3).endpointSlices.length, 2);
    const one = {
      ...state,
      clusters: state.clusters.map((m) => (m.name === M1 ? { ...m, serviceExport: undefined } : m)),
    };
    const after = convergeExport(one).state;
    const m3 = exportMemberOf(after, M3);
    assert.equal(m3.serviceImport?.spec?.type, 'ClusterSetIP');
    assert.deepEqual(
      m3.endpointSlices.map((s) => s.metadata?.labels?.[LABEL_SOURCE_CLUSTER]),
      [M2],
    );
  });

  const refused: { name: string; service?: ReturnType<typeof userService>; reason: string }[] = [
    {
      name: 'an ExternalName export is Valid=False (InvalidServiceType) and makes no ServiceImport',
      service: userService({ type: 'ExternalName', externalName: 'example.com' }),
      reason: 'InvalidServiceType',
    },
    {
      name: 'an export without its Service is Valid=False (NoService) and makes no ServiceImport',
      reason: 'NoService',
    },
  ];
  for (const c of refused) {
    it(c.name, () => {
      const s = exportSnapshot([
        exportMember(M1, { service: c.service, serviceExport: serviceExport(0) }),
        exportMember(M2),
      ]);
      const { state } = convergeExport(s);
      assert.equal(exportCondition(state, M1, 'Valid'), `False/${c.reason}`);
      assert.equal(exportCondition(state, M1, 'Ready'), 'False/Failed');
      assert.equal(exportCondition(state, M1, 'Conflict'), undefined);
      for (const m of state.clusters) assert.equal(m.serviceImport, undefined, m.name);
    });
  }

  it('raises Conflict on both exporters when their ports disagree, and serves the union', () => {
    const s = exportSnapshot([
      exportMember(M1, { service: userService(), serviceExport: serviceExport(0), ips: ['10.10.0.5'] }),
      exportMember(M2, {
        service: userService({
          ports: [
            { name: 'http', port: 80, targetPort: 8080 },
            { name: 'stcp', port: 142, protocol: 'SCTP' },
          ],
        }),
        serviceExport: serviceExport(5),
        ips: ['10.20.0.7'],
      }),
    ]);
    const { state } = convergeExport(s);
    assert.equal(exportCondition(state, M1, 'Conflict'), 'True/PortConflict');
    assert.equal(exportCondition(state, M2, 'Conflict'), 'True/PortConflict');
    assert.deepEqual(
      exportMemberOf(state, M1).serviceImport?.spec?.ports?.map((p) => p.name),
      ['http', 'stcp'],
    );
  });

  // kube-proxy gives a Service port the endpoints of every slice port of the same name and
  // protocol, so the loser's copies must not carry a port of the winning name (KEP-1645 § port
  // conflict, docs/mcs-api.md row 25).
  const portConflicts: {
    name: string;
    older: V1ServicePort[];
    newer: V1ServicePort[];
    /** The slice port names of each exporter's copies, in every member. */
    copies: Record<string, string[]>;
  }[] = [
    {
      name: 'leaves the port a newer exporter lost out of its copies, so the winning port reaches only the older exporter',
      older: [{ name: 'http', port: 80, targetPort: 8080 }],
      newer: [
        { name: 'http', port: 42, targetPort: 9090 },
        { name: 'metrics', port: 9100, targetPort: 9100 },
      ],
      copies: { [M1]: ['http'], [M2]: ['metrics'] },
    },
    {
      name: 'gives a newer exporter whose only unnamed port lost copies with no port at all',
      older: [{ name: '', port: 80, targetPort: 8080 }],
      newer: [{ name: '', port: 42, targetPort: 9090 }],
      copies: { [M1]: [''], [M2]: [] },
    },
    {
      name: 'keeps every port in the copies of exporters whose ports agree',
      older: [{ name: 'http', port: 80, targetPort: 8080 }],
      newer: [{ name: 'http', port: 80, targetPort: 9090 }],
      copies: { [M1]: ['http'], [M2]: ['http'] },
    },
  ];
  for (const c of portConflicts) {
    it(c.name, () => {
      const exporter = (name: string, ports: V1ServicePort[], age: number, ip: string) => {
        const m = exportMember(name, {
          service: userService({ ports }),
          serviceExport: serviceExport(age),
          ips: [ip],
        });
        // The slice ports are the Service's, by name, at the target port (as the EndpointSlice controller writes them).
        const slicePorts = ports.map((p) => ({ name: p.name, protocol: 'TCP', port: Number(p.targetPort) }));
        return { ...m, sourceSlices: (m.sourceSlices ?? []).map((sl) => ({ ...sl, ports: slicePorts })) };
      };
      const s = exportSnapshot([
        exporter(M1, c.older, 0, '10.10.0.5'),
        exporter(M2, c.newer, 5, '10.20.0.7'),
        exportMember(M3),
      ]);
      const { state } = convergeExport(s);
      for (const member of [M1, M2, M3]) {
        const seen: Record<string, string[]> = {};
        for (const copy of exportMemberOf(state, member).endpointSlices) {
          const source = copy.metadata?.labels?.[LABEL_SOURCE_CLUSTER] ?? '';
          seen[source] = (copy.ports ?? []).map((p) => p.name ?? '');
        }
        assert.deepEqual(seen, c.copies, member);
      }
    });
  }

  it('leaves a ServiceImport that is not ours unchanged and reports it', () => {
    const foreign = {
      metadata: { name: 'nginx', namespace: 'default', labels: {} },
      spec: { type: 'ClusterSetIP' as const, ports: [] },
    };
    const s = exportSnapshot([
      exportMember(M1, { service: userService(), serviceExport: serviceExport(0), ips: ['10.10.0.5'] }),
      exportMember(M2, { serviceImport: foreign }),
    ]);
    const plan = planExport(s);
    assert.ok(!plan.actions.some((a) => a.kind === 'ServiceImport' && a.cluster === M2));
    assert.match(
      plan.problems[0]?.message ?? '',
      /ServiceImport default\/nginx in member2 is not managed by mcs-bridge/,
    );
  });

  it('ignores mcs-bridge’s own ServiceExport of the Pull path', () => {
    const s = exportSnapshot([
      exportMember(M1, {
        service: userService(),
        serviceExport: serviceExport(0, { 'mcs-bridge.io/exported-by': 'mcs-bridge' }),
        ips: ['10.10.0.5'],
      }),
      exportMember(M2),
    ]);
    assert.deepEqual(describedExport(planExport(s)), []);
  });

  it('makes no second set of copies where a MultiClusterService serves the Service: the import points at its Service', () => {
    const mcsCopy = userService();
    const s = exportSnapshot(
      [
        exportMember(M1, { service: userService(), serviceExport: serviceExport(0), ips: ['10.10.0.5'] }),
        { ...exportMember(M2), exportedService: mcsCopy },
      ],
      { mcsConsumers: new Set([M2]) },
    );
    const { state } = convergeExport(s);
    const m2 = exportMemberOf(state, M2);
    assert.deepEqual(m2.endpointSlices, []);
    assert.equal(m2.service, undefined);
    assert.deepEqual(m2.serviceImport?.spec?.ips, mcsCopy.spec?.clusterIPs);
    assert.equal(exportMemberOf(state, M1).endpointSlices.length, 1);
  });

  it('writes nothing into a member that is not ready, and still counts its export', () => {
    const s = exportSnapshot([
      exportMember(M1, {
        service: userService(),
        serviceExport: serviceExport(0),
        ips: ['10.10.0.5'],
        ready: false,
      }),
      exportMember(M2),
    ]);
    const plan = planExport(s);
    assert.ok(plan.actions.every((a) => a.cluster === M2));
    assert.ok(plan.actions.some((a) => a.kind === 'ServiceImport' && a.verb === 'create'));
  });

  it('plans nothing before the cluster source has synced', () => {
    assert.deepEqual(describedExport(planExport({ ...oneExporter(), hubSynced: false })), []);
  });
});
