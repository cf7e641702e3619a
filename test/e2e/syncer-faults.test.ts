/**
 * Faults: a provider's API server goes away (its copies stay, as Karmada documents; with
 * --unready-grace they are marked not ready instead, and restored), and the syncer is
 * killed in the middle of its work (a restart converges to the same end state).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api } from '@kubernetes/client-node';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  conditionOf,
  ensureCrd,
  readMcs,
  readyAddresses,
  type SyncerUnderTest,
  seedConverged,
  slicesIn,
  startSyncer,
} from './harness/syncer.ts';

describe('the syncer under faults', () => {
  let sb: Sandbox;
  const syncers: SyncerUnderTest[] = [];
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
  });
  after(async () => {
    await Promise.all(cleanups.map((c) => c()));
    for (const s of syncers) await s.program.stop().catch(() => {});
  });

  async function seed(prefix: string): Promise<string> {
    const { ns, cleanup } = await seedConverged(sb, prefix);
    cleanups.push(cleanup);
    return ns;
  }

  it("keeps member2's copies while member1 is down, says so in the status, and converges when it returns", async () => {
    reliabilityCase('Faults', 'Member API server stopped');
    // One syncer at a time: these run without leader election, and two would fight.
    const syncer = await startSyncer(sb, 'syncer-faults');
    syncers.push(syncer);
    const ns = await seed('member-down');
    const before = (await slicesIn(sb, 'member2', ns)).ours;
    await sb.stopApiserver('member1');
    try {
      await eventually('the MCS reports member1 not ready', async () => {
        const mcs = await readMcs(sb, ns);
        assert.match(conditionOf(mcs, 'EndpointSliceDispatched'), /^False\/ClusterNotReady: .*member1/);
      });
      // Several health intervals later, the copies are still exactly as they were.
      await new Promise((r) => setTimeout(r, 3_000));
      const during = (await slicesIn(sb, 'member2', ns)).ours;
      assert.deepEqual(
        during.map((s) => [s.metadata?.name, s.metadata?.resourceVersion]),
        before.map((s) => [s.metadata?.name, s.metadata?.resourceVersion]),
        'not deleted, not even rewritten',
      );
    } finally {
      await sb.startApiserver('member1');
    }
    await eventually('converged again with one copy per source slice', async () => {
      const mcs = await readMcs(sb, ns);
      assert.match(conditionOf(mcs, 'EndpointSliceDispatched'), /^True\//);
      const { ours } = await slicesIn(sb, 'member2', ns);
      const sources = (await slicesIn(sb, 'member1', ns)).others
        .map((s) => `member1-${s.metadata?.name}`)
        .sort();
      assert.deepEqual(ours.map((s) => s.metadata?.name).sort(), sources, 'no duplicates, no leftovers');
      assert.equal(readyAddresses(ours).length, 2);
    });
    await syncer.program.stop();
  });

  it('with --unready-grace marks a lost provider not ready after the grace, and restores it on return', async () => {
    reliabilityCase('Faults', 'Provider lost past --unready-grace');
    const syncer = await startSyncer(sb, 'syncer-faults-grace', ['--unready-grace=2s']);
    syncers.push(syncer);
    const ns = await seed('grace');
    const ips = readyAddresses((await slicesIn(sb, 'member2', ns)).ours);
    await sb.stopApiserver('member1');
    try {
      await eventually('the copies in member2 are marked not ready', async () => {
        const { ours } = await slicesIn(sb, 'member2', ns);
        assert.ok(ours.length > 0, 'still there');
        assert.deepEqual(readyAddresses(ours), [], 'no endpoint ready');
        assert.deepEqual(
          ours.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses)).sort(),
          ips,
          'same addresses',
        );
      });
    } finally {
      await sb.startApiserver('member1');
    }
    await eventually('the endpoints are ready again', async () => {
      assert.deepEqual(readyAddresses((await slicesIn(sb, 'member2', ns)).ours), ips);
    });
    await syncer.program.stop();
  });

  it('reaches the same end state, with no orphans, after being killed mid-work', async () => {
    reliabilityCase('Faults', 'Syncer SIGKILLed mid-work');
    for (const s of syncers) await s.program.stop().catch(() => {});
    const ns = uniqueName('sigkill');
    cleanups.push(await createNamespace(sb, ns));
    const n = 40;
    const core = sb.kubeConfig('hub').makeApiClient(CoreV1Api);
    const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
    const discovery = sb.kubeConfig('member1').makeApiClient(DiscoveryV1Api);
    for (let i = 0; i < n; i++) {
      const name = `svc-${i}`;
      await core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name }, spec: { ports: [{ port: 80 }] } },
      });
      await custom.createNamespacedCustomObject({
        group: 'networking.karmada.io',
        version: 'v1alpha1',
        plural: 'multiclusterservices',
        namespace: ns,
        body: {
          apiVersion: 'networking.karmada.io/v1alpha1',
          kind: 'MultiClusterService',
          metadata: { name },
          spec: {
            types: ['CrossCluster'],
            providerClusters: [{ name: 'member1' }],
            consumerClusters: [{ name: 'member2' }],
          },
        },
      });
      await discovery.createNamespacedEndpointSlice({
        namespace: ns,
        body: {
          metadata: {
            name: `src-${i}`,
            labels: {
              'kubernetes.io/service-name': name,
              'endpointslice.kubernetes.io/managed-by': 'e2e.mcs-bridge.io',
            },
          },
          addressType: 'IPv4',
          endpoints: [{ addresses: [`10.10.8.${i + 1}`], conditions: { ready: true } }],
          ports: [{ port: 80, protocol: 'TCP', name: '' }],
        },
      });
    }
    const copiesIn2 = async () =>
      (
        await sb.kubeConfig('member2').makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({
          namespace: ns,
          labelSelector: 'endpointslice.kubernetes.io/managed-by=syncer.mcs-bridge.io',
        })
      ).items;
    const first = await startSyncer(sb, 'syncer-faults-kill');
    // Stopped by after() too, should this test fail before its kill: a leaked syncer would fight the next suites.
    syncers.push(first);
    await eventually(
      'the syncer has started writing',
      async () => assert.ok((await copiesIn2()).length >= 1),
      {
        intervalMs: 20,
      },
    );
    await first.program.stop('SIGKILL');
    const atKill = (await copiesIn2()).length;
    const second = await startSyncer(sb, 'syncer-faults-kill-2');
    syncers.push(second);
    await eventually(`all ${n} copies, exactly once each (${atKill} were there at the kill)`, async () => {
      const copies = await copiesIn2();
      const names = copies.map((s) => s.metadata?.name).sort();
      const want = Array.from({ length: n }, (_, i) => `member1-src-${i}`).sort();
      assert.deepEqual(names, want);
      for (const s of copies) {
        const i = Number(s.metadata?.name?.split('-').pop());
        assert.deepEqual(
          (s.endpoints ?? []).flatMap((e) => e.addresses),
          [`10.10.8.${i + 1}`],
        );
        assert.equal(s.metadata?.labels?.['kubernetes.io/service-name'], `svc-${i}`);
      }
      const services = await sb
        .kubeConfig('member2')
        .makeApiClient(CoreV1Api)
        .listNamespacedService({ namespace: ns });
      assert.equal(services.items.length, n, 'one Service copy per MCS');
    });
  });
});
