/**
 * A member that accepts connections and never answers (member3 behind a proxy gone silent
 * before the syncer starts): it delays neither the start-up nor the other members; it is
 * reported not ready; and once it answers again it gets what it should have.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { startTcpProxy, type TcpProxy } from '../sandbox/tcp-proxy.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  ensureCrd,
  exportWrittenServices,
  kubeconfigThrough,
  metricOf,
  readyAddresses,
  type SyncerUnderTest,
  slicesIn,
  startSyncer,
  writeSourceSlice,
} from './harness/syncer.ts';

describe('the syncer with a member that never answers', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest | undefined;
  let proxy: TcpProxy;
  const ns = uniqueName('silent-member');
  let cleanup = async () => {};

  const copyIs = async (cluster: 'member2' | 'member3', service: string, marker: number) =>
    assert.deepEqual(readyAddresses((await slicesIn(sb, cluster, ns, service)).ours), [`10.${marker}.0.1`]);

  before(async () => {
    sb = await useSandbox();
    assert.ok(sb.extraMembers.includes('member3'), 'the sandbox runs member3 (make test-e2e starts it)');
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    await exportWrittenServices(sb, ns, ['fast'], ['member1'], ['member2']);
    await exportWrittenServices(sb, ns, ['far'], ['member1'], ['member3']);
    const port = sb.layout.clusters.member3?.apiserverPort;
    assert.ok(port, 'member3 has an apiserver port');
    proxy = await startTcpProxy(port);
  });
  after(async () => {
    proxy?.setMode({ kind: 'pass' });
    await cleanup();
    await syncer?.program.stop();
    await proxy?.close();
  });

  it('starts and serves the other members at once, reports it not ready, and catches it up when it answers', async () => {
    reliabilityCase(
      'Faults',
      'A member that accepts connections and never answers',
      'member3 behind a proxy gone silent before the syncer starts: member1 → member2 copies made and changes carried while it is silent (how soon is asserted on fake clocks in the unit tests), member3 reported not ready (metric and log); when it answers, its copy arrives',
    );
    const kubeconfig = await kubeconfigThrough(
      sb,
      'member3',
      proxy.port,
      path.join(sb.layout.dir, 'silent-member.kubeconfig'),
    );
    proxy.setMode({ kind: 'silent' });
    const started = Date.now();
    syncer = await startSyncer(sb, 'syncer-silent-member', [], {
      contexts: ['member1', 'member2', 'member3'],
      memberKubeconfig: kubeconfig,
    });
    const s = syncer;
    // How soon is a property of the controller, asserted on fake clocks (unit tests
    // controller-member-faults.test.ts, clusters.test.ts); here the bounds are hang guards.
    await eventually('member2 holds its copy', () => copyIs('member2', 'fast', 1), { timeoutMs: 60_000 });
    console.log(
      `the first copy reached member2 ${((Date.now() - started) / 1000).toFixed(1)} s after the start`,
    );
    await eventually('member3 is reported not ready', async () => {
      assert.equal(await metricOf(s, 'mcs_bridge_syncer_cluster_ready{cluster="member3"}'), 0);
      assert.match(await readFile(s.program.logFile, 'utf8'), /member cluster member3 is not ready/);
    });

    const changed = Date.now();
    await writeSourceSlice(sb, 'member1', ns, 'fast-src', 'fast', 2);
    await eventually('member2 has the change', () => copyIs('member2', 'fast', 2), { timeoutMs: 30_000 });
    console.log(`member1 → member2 took ${Date.now() - changed} ms while member3 was silent`);
    assert.equal(await metricOf(s, 'mcs_bridge_syncer_cluster_ready{cluster="member2"}'), 1);

    proxy.setMode({ kind: 'pass' });
    await eventually('member3 answers again and gets its copy', () => copyIs('member3', 'far', 1), {
      timeoutMs: 120_000,
    });
    assert.equal(await metricOf(s, 'mcs_bridge_syncer_cluster_ready{cluster="member3"}'), 1);
    assert.ok(await s.program.alive());
  });
});
