/**
 * The Kubernetes MCS API (ServiceExport / ServiceImport, multicluster.x-k8s.io/v1beta1) through
 * the syncer on the plain sandbox, shaped after what SIG-Multicluster's conformance suite
 * (kubernetes-sigs/mcs-api conformance/) checks: a ServiceImport in every member while one
 * exports and none after the last unexport; ClusterSetIP vs Headless; one IP per family and none
 * for headless; ports, sessionAffinity, internalTrafficPolicy and trafficDistribution carried;
 * ports unioned with Conflict, the older export winning a clashing port; type conflicts;
 * ExternalName refused with Valid=False; the EndpointSlice labels; and a Service exported both
 * ways (an MCS and a ServiceExport) getting one set of copies.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type V1ServiceSpec } from '@kubernetes/client-node';
import type { ClusterName } from '../sandbox/layout.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  ensureCrd,
  putMcs,
  type SyncerUnderTest,
  slicesIn,
  startSyncer,
  writeSourceSlice,
} from './harness/syncer.ts';

const GROUP = { group: 'multicluster.x-k8s.io', version: 'v1beta1' };
const MEMBERS: ClusterName[] = ['member1', 'member2'];

interface Condition {
  type: string;
  status: string;
  reason: string;
}
interface ServiceImportObject {
  metadata?: { labels?: Record<string, string> };
  spec?: {
    type?: string;
    ips?: string[];
    ipFamilies?: string[];
    ports?: { name?: string; protocol?: string; port: number }[];
    sessionAffinity?: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    internalTrafficPolicy?: string;
    trafficDistribution?: string;
  };
}

describe('the Kubernetes MCS API through the syncer', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  const ns = uniqueName('mcsapi');
  let cleanup = async () => {};

  const custom = (c: ClusterName) => sb.kubeConfig(c).makeApiClient(CustomObjectsApi);
  const core = (c: ClusterName) => sb.kubeConfig(c).makeApiClient(CoreV1Api);

  async function putService(cluster: ClusterName, name: string, spec: Partial<V1ServiceSpec>): Promise<void> {
    await core(cluster).createNamespacedService({
      namespace: ns,
      body: { metadata: { name }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } },
    });
  }
  async function exportIn(cluster: ClusterName, name: string): Promise<void> {
    await custom(cluster).createNamespacedCustomObject({
      ...GROUP,
      plural: 'serviceexports',
      namespace: ns,
      body: { apiVersion: 'multicluster.x-k8s.io/v1beta1', kind: 'ServiceExport', metadata: { name } },
    });
  }
  async function unexportIn(cluster: ClusterName, name: string): Promise<void> {
    await custom(cluster).deleteNamespacedCustomObject({
      ...GROUP,
      plural: 'serviceexports',
      namespace: ns,
      name,
    });
  }
  async function readImport(cluster: ClusterName, name: string): Promise<ServiceImportObject | undefined> {
    try {
      return (await custom(cluster).getNamespacedCustomObject({
        ...GROUP,
        plural: 'serviceimports',
        namespace: ns,
        name,
      })) as ServiceImportObject;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  }
  async function exportCondition(cluster: ClusterName, name: string, type: string): Promise<string> {
    const e = (await custom(cluster).getNamespacedCustomObject({
      ...GROUP,
      plural: 'serviceexports',
      namespace: ns,
      name,
    })) as { status?: { conditions?: Condition[] } };
    const c = e.status?.conditions?.find((x) => x.type === type);
    return c ? `${c.status}/${c.reason}` : 'absent';
  }
  async function importsIn(name: string) {
    return Promise.all(MEMBERS.map(async (m) => ({ member: m, si: await readImport(m, name) })));
  }

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    syncer = await startSyncer(sb, 'syncer-mcs-api');
  });
  after(async () => {
    await cleanup();
    await syncer?.program.stop();
  });

  it('gives every member a ClusterSetIP ServiceImport with one IP per family, the ports and sessionAffinity, and removes it after the unexport', async () => {
    await putService('member1', 'web', { sessionAffinity: 'ClientIP' });
    await writeSourceSlice(sb, 'member1', ns, 'web-src', 'web', 31, 1, [
      { name: 'http', port: 8080, protocol: 'TCP' },
    ]);
    await exportIn('member1', 'web');
    await eventually(
      'a ClusterSetIP ServiceImport in every member, with its backing Service’s IP',
      async () => {
        for (const { member, si } of await importsIn('web')) {
          assert.equal(si?.spec?.type, 'ClusterSetIP', member);
          assert.equal(si?.metadata?.labels?.['app.kubernetes.io/managed-by'], 'mcs-bridge');
          const ips = si?.spec?.ips ?? [];
          assert.ok(ips.length > 0, `${member}: a clusterset IP`);
          assert.equal(ips.length, si?.spec?.ipFamilies?.length, `${member}: one IP per family`);
          const backing = await core(member).readNamespacedService({ name: 'clusterset-web', namespace: ns });
          assert.deepEqual(ips, backing.spec?.clusterIPs, `${member}: the backing Service's cluster IPs`);
          assert.equal(backing.spec?.selector, undefined);
          assert.deepEqual(si?.spec?.ports, [{ name: 'http', protocol: 'TCP', port: 80 }]);
          assert.equal(si?.spec?.sessionAffinity, 'ClientIP');
          assert.equal(si?.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds, 10800);
          assert.equal(si?.spec?.internalTrafficPolicy, 'Cluster');
        }
      },
    );
    await eventually('the export is Valid, Ready and without conflict', async () => {
      assert.equal(await exportCondition('member1', 'web', 'Valid'), 'True/Valid');
      assert.equal(await exportCondition('member1', 'web', 'Ready'), 'True/Exported');
      assert.equal(await exportCondition('member1', 'web', 'Conflict'), 'False/NoConflicts');
    });
    await eventually(
      'an MCS EndpointSlice in every member, labelled as the conformance suite looks for',
      async () => {
        for (const member of MEMBERS) {
          const list = await sb.kubeConfig(member).makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({
            namespace: ns,
            labelSelector: 'multicluster.kubernetes.io/service-name=web',
          });
          assert.equal(list.items.length, 1, member);
          const s = list.items[0];
          assert.equal(s?.metadata?.labels?.['multicluster.kubernetes.io/source-cluster'], 'member1');
          assert.equal(s?.metadata?.labels?.['kubernetes.io/service-name'], 'clusterset-web');
          assert.notEqual(
            s?.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'],
            'endpointslice-controller.k8s.io',
          );
          assert.deepEqual(
            s?.endpoints?.map((e) => e.addresses[0]),
            ['10.31.0.1'],
          );
        }
      },
    );
    // The exported Service's own name stays local: no copy is labelled for it.
    assert.deepEqual((await slicesIn(sb, 'member1', ns, 'web')).ours, []);
    await unexportIn('member1', 'web');
    await eventually('no ServiceImport and no backing Service left after the last unexport', async () => {
      for (const { member, si } of await importsIn('web')) {
        assert.equal(si, undefined, member);
        const backing = await core(member)
          .readNamespacedService({ name: 'clusterset-web', namespace: ns })
          .catch(() => undefined);
        assert.equal(backing, undefined, member);
      }
    });
  });

  it('gives a headless Service a Headless ServiceImport with no IPs in every member', async () => {
    await putService('member1', 'db', { clusterIP: 'None' });
    await writeSourceSlice(sb, 'member1', ns, 'db-src', 'db', 32);
    await exportIn('member1', 'db');
    await eventually('Headless imports without IPs', async () => {
      for (const { member, si } of await importsIn('db')) {
        assert.equal(si?.spec?.type, 'Headless', member);
        assert.deepEqual(si?.spec?.ips ?? [], [], member);
      }
    });
  });

  it('serves the union of two exporters’ ports and raises Conflict on both', async () => {
    await putService('member1', 'multi', {});
    await exportIn('member1', 'multi');
    await eventually('member1’s export is seen first', async () => {
      assert.equal(await exportCondition('member1', 'multi', 'Valid'), 'True/Valid');
    });
    await putService('member2', 'multi', {
      ports: [
        { name: 'http', port: 80, targetPort: 8080 },
        { name: 'stcp', port: 142, protocol: 'SCTP' },
      ],
    });
    await exportIn('member2', 'multi');
    await eventually('Conflict=True (PortConflict) on both, the union served', async () => {
      for (const member of MEMBERS) {
        assert.equal(await exportCondition(member, 'multi', 'Conflict'), 'True/PortConflict', member);
        const si = await readImport(member, 'multi');
        assert.deepEqual(si?.spec?.ports, [
          { name: 'http', protocol: 'TCP', port: 80 },
          { name: 'stcp', protocol: 'SCTP', port: 142 },
        ]);
      }
    });
  });

  it('keeps the older export’s values for a port name two exporters give different ports, with Conflict on both', async () => {
    await putService('member1', 'clash', {});
    // Both exporters' pods serve the Service's `http` port on 8080: only member1's may get port 80.
    await writeSourceSlice(sb, 'member1', ns, 'clash-src', 'clash', 41, 1, [
      { name: 'http', port: 8080, protocol: 'TCP' },
    ]);
    await writeSourceSlice(sb, 'member2', ns, 'clash-src', 'clash', 42, 1, [
      { name: 'http', port: 8080, protocol: 'TCP' },
    ]);
    await exportIn('member1', 'clash');
    await eventually('member1’s export is seen first', async () => {
      assert.equal(await exportCondition('member1', 'clash', 'Valid'), 'True/Valid');
    });
    await putService('member2', 'clash', { ports: [{ name: 'http', port: 81, targetPort: 8080 }] });
    await exportIn('member2', 'clash');
    await eventually('Conflict=True (PortConflict) on both, member1’s port served', async () => {
      for (const member of MEMBERS) {
        assert.equal(await exportCondition(member, 'clash', 'Conflict'), 'True/PortConflict', member);
        assert.deepEqual((await readImport(member, 'clash'))?.spec?.ports, [
          { name: 'http', protocol: 'TCP', port: 80 },
        ]);
      }
    });
    // kube-proxy gives the backing Service's `http` port every slice port named `http`: the
    // loser's copies must carry none, the winner's must (conformance row 25).
    await eventually('member2’s copies carry no http port, member1’s do, in every member', async () => {
      for (const member of MEMBERS) {
        const { ours } = await slicesIn(sb, member, ns, 'clusterset-clash');
        const bySource = Object.fromEntries(
          ours.map((s) => [
            s.metadata?.labels?.['multicluster.kubernetes.io/source-cluster'],
            (s.ports ?? []).map((p) => p.name ?? ''),
          ]),
        );
        assert.deepEqual(bySource, { member1: ['http'], member2: [] }, member);
      }
    });
  });

  it('carries internalTrafficPolicy and trafficDistribution from the exported Service', async () => {
    await putService('member1', 'local', {
      internalTrafficPolicy: 'Local',
      trafficDistribution: 'PreferClose',
    });
    await exportIn('member1', 'local');
    await eventually('both carried into every member’s import', async () => {
      for (const { member, si } of await importsIn('local')) {
        assert.equal(si?.spec?.internalTrafficPolicy, 'Local', member);
        assert.equal(si?.spec?.trafficDistribution, 'PreferClose');
      }
    });
  });

  it('lets the older export win the type and raises TypeConflict on both', async () => {
    await putService('member1', 'typed', {});
    await exportIn('member1', 'typed');
    await eventually('member1’s export is seen first', async () => {
      assert.equal(await exportCondition('member1', 'typed', 'Valid'), 'True/Valid');
    });
    await putService('member2', 'typed', { clusterIP: 'None' });
    await exportIn('member2', 'typed');
    await eventually('Conflict=True (TypeConflict) on both, ClusterSetIP everywhere', async () => {
      for (const member of MEMBERS) {
        assert.equal(await exportCondition(member, 'typed', 'Conflict'), 'True/TypeConflict', member);
        assert.equal((await readImport(member, 'typed'))?.spec?.type, 'ClusterSetIP', member);
      }
    });
  });

  it('refuses an ExternalName export with Valid=False and makes no ServiceImport', async () => {
    await core('member1').createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
    });
    await exportIn('member1', 'ext');
    await eventually('Valid=False (InvalidServiceType)', async () => {
      assert.equal(await exportCondition('member1', 'ext', 'Valid'), 'False/InvalidServiceType');
    });
    for (const { member, si } of await importsIn('ext')) assert.equal(si, undefined, member);
  });

  it('gives a Service exported both ways (an MCS and a ServiceExport) one set of copies in each member', async () => {
    await core('hub').createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'both' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } },
    });
    await putMcs(sb, ns, ['member1'], ['member2'], 'both');
    // The MCS puts Service `both` into member1 and member2; member1's endpoints are a test slice.
    await eventually('the MCS’s Service in member1', () =>
      core('member1').readNamespacedService({ name: 'both', namespace: ns }),
    );
    await writeSourceSlice(sb, 'member1', ns, 'both-src', 'both', 33, 1, [
      { name: 'http', port: 8080, protocol: 'TCP' },
    ]);
    await exportIn('member1', 'both');
    await eventually('member2: the MCS copy only, and an import pointing at the MCS’s Service', async () => {
      const member2 = sb.kubeConfig('member2').makeApiClient(DiscoveryV1Api);
      const copies = (await member2.listNamespacedEndpointSlice({ namespace: ns })).items.filter((s) =>
        ['both', 'clusterset-both'].includes(s.metadata?.labels?.['kubernetes.io/service-name'] ?? ''),
      );
      assert.deepEqual(
        copies.map((s) => s.metadata?.name),
        ['member1-both-src'],
      );
      const svc = await core('member2').readNamespacedService({ name: 'both', namespace: ns });
      assert.deepEqual((await readImport('member2', 'both'))?.spec?.ips, svc.spec?.clusterIPs);
      const backing = await core('member2')
        .readNamespacedService({ name: 'clusterset-both', namespace: ns })
        .catch(() => undefined);
      assert.equal(backing, undefined, 'no backing Service where the MCS serves');
    });
    await eventually(
      'member1 (not an MCS consumer): the backing Service with its own endpoints',
      async () => {
        const { ours } = await slicesIn(sb, 'member1', ns, 'clusterset-both');
        assert.deepEqual(
          ours.map((s) => s.metadata?.name),
          ['clusterset-member1-both-src'],
        );
        assert.deepEqual((await slicesIn(sb, 'member1', ns, 'both')).ours, []);
      },
    );
  });
});
