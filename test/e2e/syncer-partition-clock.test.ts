/**
 * The partition of syncer-partition.test.ts, with one change: at the moment the leader's hub
 * link goes silent, its wall clock steps back 60 s (an NTP step, a VM resumed from a snapshot)
 * while its monotonic clock runs on (libfaketime, see harness/faketime.ts). Leadership, the
 * write gate and every deadline run on the monotonic clock, so the old leader must still stop
 * writing, and exit, before the standby leads; on the wall clock it went on writing for 60 s
 * more and undid the new leader's work (split brain).
 */
import assert from 'node:assert/strict';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { startTcpProxy, type TcpProxy } from '../sandbox/tcp-proxy.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import { steppableClock } from './harness/faketime.ts';
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

/** How far the leader's wall clock steps back. */
const STEP_SECONDS = -60;

describe('a leader cut off from the hub whose wall clock steps back', () => {
  let sb: Sandbox;
  let proxy: TcpProxy;
  const ns = uniqueName('clock-step');
  let cleanup = async () => {};
  const replicas: SyncerUnderTest[] = [];
  const flags = leaderElectionFlags(ns, 6);
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

  it('stops the cut-off leader writing before the standby leads, judged on its monotonic clock', async () => {
    reliabilityCase(
      'Faults',
      'Leader cut off from the hub as its wall clock steps back 60 s',
      "as the silent-network partition, and at the moment the leader's hub link goes silent its wall clock steps back 60 s (libfaketime; its monotonic clock runs on): the old leader stops and exits before the standby leads, and the members receive no write beyond the new leader's (watched in the members)",
    );
    // A TLS handshake of the stepped process must still find the sandbox's certificates valid.
    const issued = (await stat(path.join(sb.layout.pkiDir))).mtimeMs;
    const wait = issued - STEP_SECONDS * 1000 + 10_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    const clock = await steppableClock(sb.layout.dir, 'syncer-clock-step-a');
    const hubThroughProxy = await kubeconfigThrough(
      sb,
      'hub',
      proxy.port,
      path.join(sb.layout.dir, 'clock-step-hub.kubeconfig'),
    );
    const old = await startSyncer(sb, 'syncer-clock-step-a', flags, {
      hubKubeconfig: hubThroughProxy,
      env: clock.env,
    });
    replicas.push(old);
    await eventually('the first replica leads', async () =>
      assert.equal(await metricOf(old, 'mcs_bridge_syncer_leader'), 1),
    );
    const standby = await startSyncer(sb, 'syncer-clock-step-b', flags);
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

    await clock.setOffset(STEP_SECONDS);
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

    const lines = (await readFile(old.program.logFile, 'utf8'))
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { time: number; msg: string });
    const lost = lines.find((l) =>
      /^lost leadership: could not renew Lease .* within --renew-deadline \(4 s\)/.test(l.msg),
    );
    assert.ok(lost, `the old leader says it lost leadership:\n${await old.program.tail()}`);
    // Its log lines carry its wall clock: the step did take effect in the process.
    assert.ok(
      lost.time < silentAt + STEP_SECONDS * 1000 + 30_000,
      `the old leader's clock read ${new Date(lost.time).toISOString()} when it lost leadership, ${((silentAt - lost.time) / 1000).toFixed(0)} s before the silence began`,
    );
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
