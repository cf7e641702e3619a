/**
 * The scenario of a leader cut off from the hub, which syncer-partition.test.ts runs as it is and
 * syncer-partition-clock.test.ts with the leader's wall clock stepped at the cut-off: two
 * syncers with --leader-elect, the leader's connection to the hub through a TCP proxy that goes
 * silent (packets dropped, no reset, no close). The standby takes the Lease once it expires; the
 * cut-off leader must have stopped writing before that, and exit saying so. The hub changes
 * while the leader is cut off, so the two replicas see different hubs: a write of the old leader
 * would undo one of the new leader's. What the members received is watched in the members
 * themselves and counted against the writes the new leader reports: any surplus is someone
 * else writing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { startTcpProxy, type TcpProxy } from '../../sandbox/tcp-proxy.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../../sandbox/testing.ts';
import { recordMemberWrites } from './member-writes.ts';
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
} from './syncer.ts';

/** What a suite changes in the scenario. */
export interface PartitionHooks {
  /** More environment of the leader's process (e.g. a steppable clock's, harness/faketime.ts). */
  readonly leaderEnv?: Record<string, string>;
  /** Runs at the cut-off, just before the leader's hub link goes silent. */
  readonly atCutOff?: () => Promise<void>;
}

/** A line of the old leader's JSON log. */
export interface LogLine {
  /** Its wall clock when it wrote the line, in ms. */
  time: number;
  msg: string;
}

/** What the scenario saw, once its shared checks have passed. */
export interface PartitionOutcome {
  /** When the hub link went silent (the test's clock, ms). */
  silentAt: number;
  /** The old leader's line saying it lost leadership. */
  lost: LogLine;
}

/** The scenario's sandbox, namespace and proxy; `prefix` names the namespace, syncers and files. */
export class LeaderPartition {
  sb!: Sandbox;
  private proxy: TcpProxy | undefined;
  private cleanup = async () => {};
  private readonly replicas: SyncerUnderTest[] = [];
  private readonly ns: string;
  private readonly names = ['a', 'b'];

  constructor(private readonly prefix: string) {
    this.ns = uniqueName(prefix);
  }

  /** The name of the replica that leads first (and is cut off). */
  get leaderName(): string {
    return `syncer-${this.prefix}-a`;
  }

  /** For a suite's `before`: the namespace with two exported Services, and the proxy. */
  async setUp(): Promise<void> {
    this.sb = await useSandbox();
    await ensureCrd(this.sb);
    this.cleanup = await createNamespace(this.sb, this.ns);
    await exportWrittenServices(this.sb, this.ns, this.names, ['member1'], ['member2']);
    this.proxy = await startTcpProxy(this.sb.layout.clusters.hub.apiserverPort);
  }

  /** For a suite's `after`: removes what setUp and run made, whatever failed. */
  async tearDown(): Promise<void> {
    this.proxy?.setMode({ kind: 'pass' });
    await this.cleanup();
    for (const r of this.replicas) await r.program.stop().catch(() => {});
    await this.proxy?.close();
  }

  /**
   * Runs the partition and checks what every variant must keep: the old leader says it lost
   * leadership and exits before the standby leads, no replica undoes the new leader's change,
   * the members receive no write beyond the new leader's, and the new leader does the work.
   */
  async run(hooks: PartitionHooks = {}): Promise<PartitionOutcome> {
    const { sb, ns, names } = this;
    const proxy = this.proxy;
    assert.ok(proxy, 'setUp ran');
    const flags = leaderElectionFlags(ns, 6);
    const hubThroughProxy = await kubeconfigThrough(
      sb,
      'hub',
      proxy.port,
      path.join(sb.layout.dir, `${this.prefix}-hub.kubeconfig`),
    );
    const old = await startSyncer(sb, this.leaderName, flags, {
      hubKubeconfig: hubThroughProxy,
      env: hooks.leaderEnv,
    });
    this.replicas.push(old);
    await eventually('the first replica leads', async () =>
      assert.equal(await metricOf(old, 'mcs_bridge_syncer_leader'), 1),
    );
    const standby = await startSyncer(sb, `syncer-${this.prefix}-b`, flags);
    this.replicas.push(standby);
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

    await hooks.atCutOff?.();
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
      .map((l) => JSON.parse(l) as LogLine);
    const lost = lines.find((l) =>
      /^lost leadership: could not renew Lease .* within --renew-deadline \(4 s\)/.test(l.msg),
    );
    assert.ok(lost, `the old leader says it lost leadership:\n${await old.program.tail()}`);
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
    return { silentAt, lost };
  }
}
