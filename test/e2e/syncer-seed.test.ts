/**
 * The seed scenario through the syncer: nginx in member1, the seed's Service + MCS on the
 * hub (provider member1, consumer member2) → member2 holds Service nginx and the copies
 * of member1's slices, and follows nginx as it scales.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Sandbox } from '../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  kubectl,
  loadFixture,
  uniqueName,
  useSandbox,
} from '../sandbox/testing.ts';
import {
  conditionOf,
  ensureCrd,
  nginxPodIps,
  readMcs,
  readyAddresses,
  type SyncerUnderTest,
  scaleNginx,
  slicesIn,
  startSyncer,
} from './harness/syncer.ts';

describe('the syncer carrying out the seed scenario', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  const ns = uniqueName('seed');
  let cleanup = async () => {};

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    await createAll(sb, 'member1', ns, await loadFixture('seed/nginx-deployment.yaml'));
    syncer = await startSyncer(sb, 'syncer-seed');
    // The seed's Service and MCS, as the guide applies them to the control plane.
    await createAll(sb, 'hub', ns, await loadFixture('seed/nginx-service-mcs.yaml'));
  });
  after(async () => {
    await cleanup(); // while the syncer runs, so it withdraws and releases its finalizer
    await syncer?.program.stop();
  });

  it("gives member2 the Service and copies of member1's slices with both pod IPs, ready", async () => {
    const ips = await eventually('2 nginx pods in member1', async () => {
      const found = await nginxPodIps(sb, 'member1', ns);
      assert.equal(found.length, 2);
      return found;
    });
    await eventually('member2 holds copies with the pod IPs of member1', async () => {
      const { ours } = await slicesIn(sb, 'member2', ns);
      assert.ok(ours.length >= 1, 'at least one copy');
      for (const s of ours) {
        assert.match(s.metadata?.name ?? '', /^member1-nginx-/, 'named <provider>-<source slice>');
        assert.equal(s.metadata?.labels?.['multicluster.kubernetes.io/source-cluster'], 'member1');
        assert.equal(s.metadata?.annotations?.['endpointslice.karmada.io/provision-cluster'], 'member1');
        assert.equal(s.metadata?.labels?.['kubernetes.io/service-name'], 'nginx');
      }
      assert.deepEqual(readyAddresses(ours), ips);
    });
    const svc = await sb
      .kubeConfig('member2')
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'nginx', namespace: ns });
    assert.equal(svc.metadata?.labels?.['app.kubernetes.io/managed-by'], 'mcs-bridge');
    assert.deepEqual(svc.spec?.selector, { app: 'nginx' });
    assert.equal(svc.spec?.ports?.[0]?.port, 80);
    assert.match(
      svc.spec?.clusterIP ?? '',
      /^10\.98\./,
      'member2 allocated its own cluster IP from its range',
    );
  });

  it('gives member1 the Service but no copy of its own slices', async () => {
    const { ours } = await slicesIn(sb, 'member1', ns);
    assert.deepEqual(ours, []);
    const svc = await sb
      .kubeConfig('member1')
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'nginx', namespace: ns });
    assert.ok(svc.spec?.clusterIP?.startsWith('10.97.'), 'a Service of its own range');
  });

  it('shows ServiceApplied and EndpointSliceDispatched True on the MCS, with the finalizer', async () => {
    await eventually('both conditions True', async () => {
      const mcs = await readMcs(sb, ns);
      assert.match(conditionOf(mcs, 'ServiceApplied'), /^True\//);
      assert.match(conditionOf(mcs, 'EndpointSliceDispatched'), /^True\//);
      assert.ok(mcs?.metadata?.finalizers?.includes('mcs-bridge.io/cleanup'));
      assert.equal(mcs?.status?.conditions?.[0]?.observedGeneration, mcs?.metadata?.generation);
    });
  });

  for (const replicas of [3, 0, 2]) {
    it(`follows nginx scaled to ${replicas} in member1`, async () => {
      await scaleNginx(sb, 'member1', ns, replicas);
      await eventually(`member2 sees ${replicas} ready endpoints`, async () => {
        const ips = await nginxPodIps(sb, 'member1', ns);
        assert.equal(ips.length, replicas, 'member1 pods');
        const { ours } = await slicesIn(sb, 'member2', ns);
        assert.deepEqual(readyAddresses(ours), ips);
      });
    });
  }

  it('records an event for the dispatch and exports non-zero metrics', async () => {
    const events = await sb.kubeConfig('hub').makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: ns });
    const reasons = events.items
      .filter((e) => e.involvedObject.kind === 'MultiClusterService')
      .map((e) => e.reason);
    assert.ok(reasons.includes('SyncServiceSucceed'), reasons.join(','));
    assert.ok(reasons.includes('DispatchEndpointSliceSucceed'), reasons.join(','));
    const text = await syncer.metrics();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? 'NaN');
    assert.ok(value(/^mcs_bridge_syncer_reconciles_total\{result="success"\} (\d+)/m) > 0, 'reconciles');
    assert.ok(
      value(/^mcs_bridge_syncer_propagation_latency_seconds_count (\d+)/m) > 0,
      'propagation latency',
    );
    assert.ok(value(/^mcs_bridge_syncer_reconcile_duration_seconds_count (\d+)/m) > 0, 'reconcile duration');
    assert.equal(value(/^mcs_bridge_syncer_cluster_ready\{cluster="member2"\} (\d+)/m), 1);
    assert.ok(
      value(/^mcs_bridge_syncer_api_requests_total\{cluster="member2",verb="create",code="2xx"\} (\d+)/m) > 0,
    );
    assert.equal(value(/^mcs_bridge_syncer_leader (\d+)/m), 1);
    assert.match(text, /^mcs_bridge_syncer_queue_depth \d+/m);
    await eventually('the dispatched-slices gauge counts the copy', async () => {
      const t = await syncer.metrics();
      assert.ok(
        Number(/^mcs_bridge_syncer_dispatched_endpointslices\{cluster="member2"\} (\d+)/m.exec(t)?.[1]) >= 1,
      );
    });
  });

  it('makes no writes at steady state', async () => {
    const writes = async () => {
      const text = await syncer.metrics();
      return [
        ...text.matchAll(
          /^mcs_bridge_syncer_api_requests_total\{[^}]*verb="(create|update|delete|patch)"[^}]*\} (\d+)/gm,
        ),
      ]
        .map((m) => Number(m[2]))
        .reduce((a, b) => a + b, 0);
    };
    // Wait until the scaling above has fully played out: no write for 2 s.
    let before = await writes();
    for (let quietSince = Date.now(); Date.now() - quietSince < 2_000; ) {
      await new Promise((r) => setTimeout(r, 250));
      const now = await writes();
      if (now !== before) {
        before = now;
        quietSince = Date.now();
      }
    }
    // A resync-like nudge: touch the MCS's labels so every key is reconciled again.
    await kubectl(sb, ['--context', 'hub', '-n', ns, 'label', 'multiclusterservice', 'nginx', 'nudged=yes']);
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(await writes(), before, 'no create, update, delete or patch after a no-op change');
  });
});
