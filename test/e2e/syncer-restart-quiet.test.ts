/**
 * A syncer restarted over 1,000 MultiClusterServices whose copies are all in place makes
 * no write at all: it lists, reconciles every key, finds nothing to do, and says so with
 * silence. (A rolling update of the Deployment must not rewrite every cluster.)
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi, DiscoveryV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { clients, endpoints, exportService, sourceSlice } from '../bench/syncer/fixtures.ts';
import { inParallel } from '../bench/syncer/stats.ts';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import { ensureCrd, metricOf, type SyncerUnderTest, startSyncer, writesOf } from './harness/syncer.ts';

const COUNT = 1_000;
const OURS = 'endpointslice.kubernetes.io/managed-by=syncer.mcs-bridge.io';

describe('the syncer restarted over 1,000 MultiClusterServices', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest | undefined;
  const ns = uniqueName('restart');
  let cleanup = async () => {};

  /** Waits until the syncer has nothing queued and has made no write for `quietMs`. */
  const settled = async (s: SyncerUnderTest, quietMs: number) => {
    let last = -1;
    let since = Date.now();
    await eventually(
      `the syncer has settled (${quietMs} ms without a write)`,
      async () => {
        const writes = await writesOf(s);
        if (writes !== last) {
          last = writes;
          since = Date.now();
        }
        assert.equal(await metricOf(s, 'mcs_bridge_syncer_queue_depth'), 0, 'queue empty');
        assert.ok(Date.now() - since >= quietMs, `${writes} writes, the last ${Date.now() - since} ms ago`);
      },
      { timeoutMs: 300_000, intervalMs: 500 },
    );
  };

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    const hub = clients(sb, 'hub');
    const member1 = clients(sb, 'member1');
    await inParallel(
      Array.from({ length: COUNT }, (_, i) => i),
      32,
      async (i) => {
        await exportService(hub, ns, `svc-${i}`, ['member1'], ['member2']);
        await member1.discovery.createNamespacedEndpointSlice({
          namespace: ns,
          body: sourceSlice(
            `svc-${i}-src`,
            `svc-${i}`,
            endpoints(`10.30.${Math.floor(i / 250)}.${(i % 250) + 1}`, 3),
          ),
        });
      },
    );
    syncer = await startSyncer(sb, 'syncer-restart-quiet-1');
    await eventually(
      `member2 holds the ${COUNT} copies`,
      async () => {
        const copies = await sb
          .kubeConfig('member2')
          .makeApiClient(DiscoveryV1Api)
          .listNamespacedEndpointSlice({ namespace: ns, labelSelector: OURS });
        assert.equal(copies.items.length, COUNT);
      },
      { timeoutMs: 300_000, intervalMs: 1_000 },
    );
    await settled(syncer, 3_000);
    await syncer.program.stop();
    syncer = undefined;
  });

  after(async () => {
    await syncer?.program.stop();
    // Without a syncer, the test lifts the finalizers itself, then the namespaces go.
    const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
    await inParallel(
      Array.from({ length: COUNT }, (_, i) => i),
      32,
      (i) =>
        custom
          .patchNamespacedCustomObject(
            {
              group: 'networking.karmada.io',
              version: 'v1alpha1',
              plural: 'multiclusterservices',
              namespace: ns,
              name: `svc-${i}`,
              body: { metadata: { finalizers: null } },
            },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          )
          .then(
            () => undefined,
            () => undefined,
          ),
    );
    await cleanup();
  });

  it('reconciles every key and writes nothing', async () => {
    reliabilityCase('Faults', 'Syncer restarted over 1,000 MCS with nothing changed');
    const s = await startSyncer(sb, 'syncer-restart-quiet-2');
    syncer = s;
    await eventually(
      `every one of the ${COUNT} keys was reconciled`,
      async () => {
        const reconciled = await metricOf(s, 'mcs_bridge_syncer_reconciles_total{result="success"}');
        assert.ok(reconciled >= COUNT, `${reconciled} reconciles`);
      },
      { timeoutMs: 300_000, intervalMs: 500 },
    );
    await settled(s, 5_000);
    assert.equal(await writesOf(s), 0, 'writes after the restart');
  });
});
