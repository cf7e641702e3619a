/**
 * Withdrawal: whatever the syncer put into the members goes away exactly when its source
 * does — the MCS, a source slice, the hub Service — including when that happened while
 * the syncer was not running.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  deleteMcs,
  ensureCrd,
  putMcs,
  readMcs,
  readyAddresses,
  type SyncerUnderTest,
  seedConverged,
  slicesIn,
  startSyncer,
} from './harness/syncer.ts';

const MCS = { group: 'networking.karmada.io', version: 'v1alpha1', plural: 'multiclusterservices' };

describe('the syncer withdrawing what it dispatched', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest | undefined;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    syncer = await startSyncer(sb, 'syncer-cleanup');
  });
  after(async () => {
    await Promise.all(cleanups.map((c) => c()));
    await syncer?.program.stop();
  });

  /** The seed scenario in a fresh namespace, converged: member2 holds copies of member1's slices. */
  async function converged(prefix: string): Promise<string> {
    const { ns, cleanup } = await seedConverged(sb, prefix);
    cleanups.push(cleanup);
    return ns;
  }

  const serviceIn = (cluster: 'hub' | 'member1' | 'member2', ns: string) =>
    sb
      .kubeConfig(cluster)
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'nginx', namespace: ns })
      .catch((err: { code?: number }) => {
        if (err.code === 404) return undefined;
        throw err;
      });

  async function assertWithdrawn(ns: string): Promise<void> {
    await eventually('copies and our Services gone from every member', async () => {
      for (const m of ['member1', 'member2'] as const) {
        assert.deepEqual((await slicesIn(sb, m, ns)).ours, [], `copies left in ${m}`);
        assert.equal(await serviceIn(m, ns), undefined, `our Service left in ${m}`);
      }
    });
  }

  it('deleting the MCS removes the copies and our Services from every member, and keeps the hub Service', async () => {
    const ns = await converged('del-mcs');
    await deleteMcs(sb, ns);
    await assertWithdrawn(ns);
    await eventually('the MCS is gone once its finalizer is released', async () => {
      assert.equal(await readMcs(sb, ns), undefined);
    });
    assert.ok(await serviceIn('hub', ns), 'the hub Service stays');
  });

  it("deleting a source slice removes exactly that slice's copies", async () => {
    const ns = uniqueName('del-slice');
    cleanups.push(await createNamespace(sb, ns));
    // A Service without selector: the test writes the source slices itself, as a custom
    // endpoints controller would, so deleting one is not undone by the EndpointSlice controller.
    await sb
      .kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .createNamespacedService({
        namespace: ns,
        body: { metadata: { name: 'nginx' }, spec: { ports: [{ port: 80 }] } },
      });
    await putMcs(sb, ns, ['member1'], ['member2']);
    const discovery = sb.kubeConfig('member1').makeApiClient(DiscoveryV1Api);
    for (const [name, ip] of [
      ['src-a', '10.10.9.1'],
      ['src-b', '10.10.9.2'],
    ] as const) {
      await discovery.createNamespacedEndpointSlice({
        namespace: ns,
        body: {
          metadata: {
            name,
            labels: {
              'kubernetes.io/service-name': 'nginx',
              'endpointslice.kubernetes.io/managed-by': 'e2e.mcs-bridge.io',
            },
          },
          addressType: 'IPv4',
          endpoints: [{ addresses: [ip], conditions: { ready: true } }],
          ports: [{ port: 80, protocol: 'TCP', name: '' }],
        },
      });
    }
    await eventually('both copies in member2', async () => {
      const names = (await slicesIn(sb, 'member2', ns)).ours.map((s) => s.metadata?.name).sort();
      assert.deepEqual(names, ['member1-src-a', 'member1-src-b']);
    });
    await discovery.deleteNamespacedEndpointSlice({ name: 'src-a', namespace: ns });
    await eventually('only the copy of src-b is left', async () => {
      const { ours } = await slicesIn(sb, 'member2', ns);
      assert.deepEqual(
        ours.map((s) => s.metadata?.name),
        ['member1-src-b'],
      );
      assert.deepEqual(readyAddresses(ours), ['10.10.9.2']);
    });
  });

  it('deleting the hub Service withdraws the copies but keeps the MCS', async () => {
    const ns = await converged('del-svc');
    await sb
      .kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .deleteNamespacedService({ name: 'nginx', namespace: ns });
    await assertWithdrawn(ns);
    await eventually('the MCS says the Service is missing', async () => {
      const mcs = await readMcs(sb, ns);
      const applied = mcs?.status?.conditions?.find((c) => c.type === 'ServiceApplied');
      assert.equal(applied?.status, 'False');
      assert.equal(applied?.reason, 'ServiceNotFound');
    });
  });

  it('cleans up after restarting when the MCS was deleted while the syncer was stopped', async () => {
    reliabilityCase('Faults', 'MCS deleted while the syncer was stopped');
    const ns = await converged('del-stopped');
    await syncer?.program.stop();
    syncer = undefined;
    await deleteMcs(sb, ns);
    const waiting = await readMcs(sb, ns);
    assert.ok(waiting?.metadata?.deletionTimestamp, 'the finalizer holds the MCS while no syncer runs');
    assert.equal((await slicesIn(sb, 'member2', ns)).ours.length > 0, true, 'copies still there meanwhile');
    syncer = await startSyncer(sb, 'syncer-cleanup-2');
    await assertWithdrawn(ns);
    await eventually('the MCS is gone', async () => assert.equal(await readMcs(sb, ns), undefined));
  });

  it('removes orphans at start-up even when the MCS vanished without its finalizer', async () => {
    reliabilityCase('Faults', 'MCS gone without its finalizer');
    const ns = await converged('orphans');
    await syncer?.program.stop();
    syncer = undefined;
    // Someone strips the finalizer and deletes the MCS: no trace of it is left on the hub.
    await sb
      .kubeConfig('hub')
      .makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObject(
        { ...MCS, namespace: ns, name: 'nginx', body: { metadata: { finalizers: null } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    await deleteMcs(sb, ns);
    await eventually('the MCS is gone', async () => assert.equal(await readMcs(sb, ns), undefined));
    syncer = await startSyncer(sb, 'syncer-cleanup-3');
    await assertWithdrawn(ns);
  });
});
