/**
 * A partition, not a stopped server: two syncers with --leader-elect, the leader's connection
 * to the hub through a TCP proxy that goes silent (packets dropped, no reset, no close). The
 * standby takes the Lease once it expires; the cut-off leader must have stopped writing before
 * that, and exit saying so. The hub changes while the leader is cut off, so the two replicas
 * see different hubs: a write of the old leader would undo one of the new leader's. What the
 * members received is watched in the members themselves and counted against the writes the new
 * leader reports: any surplus is someone else writing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { startTcpProxy, type TcpProxy } from '../sandbox/tcp-proxy.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import { recordMemberWrites } from './harness/member-writes.ts';
import {
  acceptedMemberWrites,
  ensureCrd,
  exportWrittenServices,
  kubeconfigThrough,
  leaderElectionFlags,
  metricOf,
  readyAddresses,
  type SyncerUnderTest,
  slicesIn,
  startSyncer,
  writeSourceSlice,
} from './harness/syncer.ts';

describe('a leader cut off from the hub by a silent network', () => {
  let sb: Sandbox;
  let proxy: TcpProxy;
  const ns = uniqueName('partition');
  let cleanup = async () => {};
  const replicas: SyncerUnderTest[] = [];
  const LEASE_SECONDS = 6;
  const flags = leaderElectionFlags(ns, LEASE_SECONDS);
  const names = ['a', 'b'];

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    await exportWrittenServices(sb, ns, names, ['member1'], ['member2']);
    proxy = await startTcpProxy(sb.layout.clusters.hub.apiserverPort);
  });
  after(async () => {
    proxy?.setMode({ kind: 'pass' });
    await cleanup();
    for (const r of replicas) await r.program.stop().catch(() => {});
    await proxy?.close();
  });

  it('stops the cut-off leader writing before the standby leads; the standby carries the changes on', async () => {
    reliabilityCase(
      'Faults',
      'Leader cut off from the hub (silent network)',
      "two syncers with --leader-elect, the leader's hub connection through a proxy that goes silent (no reset, no close) while the hub changes: the old leader stops and exits before the standby leads, the members receive no write beyond the new leader's (watched in the members), and the standby carries a member1 change to member2",
    );
    const hubThroughProxy = await kubeconfigThrough(
      sb,
      'hub',
      proxy.port,
      path.join(sb.layout.dir, 'partition-hub.kubeconfig'),
    );
    const old = await startSyncer(sb, 'syncer-partition-a', flags, { hubKubeconfig: hubThroughProxy });
    replicas.push(old);
    await eventually('the first replica leads', async () =>
      assert.equal(await metricOf(old, 'mcs_bridge_syncer_leader'), 1),
    );
    const standby = await startSyncer(sb, 'syncer-partition-b', flags);
    replicas.push(standby);
    await eventually('the copies are in place', async () => {
      for (const n of names)
        assert.equal(readyAddresses((await slicesIn(sb, 'member2', ns, n)).ours).length, 1, n);
    });
    assert.equal(await acceptedMemberWrites(standby), 0, 'a standby writes nothing');

    const recorder = await recordMemberWrites(sb, ['member1', 'member2'], ns);
    let oldExitedAt = 0;
    let watching = true;
    const watchOld = (async () => {
      while (watching && oldExitedAt === 0) {
        if (!(await old.program.alive())) oldExitedAt = Date.now();
        await new Promise((r) => setTimeout(r, 50));
      }
    })();

    proxy.setMode({ kind: 'silent' });
    const silentAt = Date.now();
    let ledAt = 0;
    await eventually(
      'the standby leads',
      async () => {
        assert.equal(await metricOf(standby, 'mcs_bridge_syncer_leader'), 1);
        ledAt = Date.now();
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );

    // Only the new leader sees this: the hub Service of `a` moves to port 81.
    const hubCore = sb.kubeConfig('hub').makeApiClient(CoreV1Api);
    const svc = await hubCore.readNamespacedService({ name: 'a', namespace: ns });
    await hubCore.replaceNamespacedService({
      name: 'a',
      namespace: ns,
      body: { ...svc, spec: { ...svc.spec, ports: [{ port: 81, protocol: 'TCP', targetPort: 80 }] } },
    });
    for (const n of names) await writeSourceSlice(sb, 'member1', ns, `${n}-src`, n, 2);
    await eventually(
      'the new leader carried both changes out',
      async () => {
        for (const n of names) {
          assert.deepEqual(readyAddresses((await slicesIn(sb, 'member2', ns, n)).ours), ['10.2.0.1'], n);
        }
        const copy = await sb
          .kubeConfig('member2')
          .makeApiClient(CoreV1Api)
          .readNamespacedService({ name: 'a', namespace: ns });
        assert.deepEqual(
          copy.spec?.ports?.map((p) => p.port),
          [81],
        );
      },
      { timeoutMs: 60_000 },
    );
    // Time for a replica that still wrote to undo the new leader's work (it reconciles on every member event).
    await new Promise((r) => setTimeout(r, 5_000));
    watching = false;
    await watchOld;
    recorder.stop();

    const log = await readFile(old.program.logFile, 'utf8');
    assert.match(log, /lost leadership: could not renew Lease .* within --renew-deadline \(4 s\)/);
    assert.ok(oldExitedAt > 0, 'the cut-off leader exited');
    assert.ok(
      oldExitedAt <= ledAt,
      `the old leader exited ${((oldExitedAt - silentAt) / 1000).toFixed(1)} s after the partition, the standby led after ${((ledAt - silentAt) / 1000).toFixed(1)} s`,
    );
    const afterLead = recorder.writes.filter((w) => w.at >= ledAt);
    const flippedBack = afterLead.filter((w) => w.kind === 'Service' && w.name === 'a' && w.content === '80');
    assert.deepEqual(flippedBack, [], 'no replica put back the port the new leader changed');
    const byStandby = await acceptedMemberWrites(standby);
    assert.ok(
      afterLead.length <= byStandby,
      `the members saw ${afterLead.length} writes of the syncer's objects after the standby led, the new leader made ${byStandby}:\n${afterLead.map((w) => `${w.cluster} ${w.kind} ${w.name} ${w.type} ${w.content}`).join('\n')}`,
    );
    assert.ok(byStandby > 0, 'the new leader did the work');
  });
});
