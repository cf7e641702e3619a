/**
 * A member that answers slowly must not stall propagation between the others. Member3 is
 * reached through a TCP proxy that delays every chunk each way; the syncer runs with two
 * workers, so reconciles that waited on member3 would leave none for member1 → member2.
 */
import assert from 'node:assert/strict';
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
  readyAddresses,
  type SyncerUnderTest,
  slicesIn,
  startSyncer,
  writeSourceSlice,
} from './harness/syncer.ts';

/** Services exported to the slow member: more than the syncer's workers. */
const SLOW = ['slow-a', 'slow-b', 'slow-c', 'slow-d', 'slow-e', 'slow-f'];
/** Delay of every chunk through the proxy, each way: a write to member3 takes twice this at least. */
const DELAY_MS = 2_000;

describe('the syncer with a member that answers slowly', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  let proxy: TcpProxy;
  const ns = uniqueName('slow');
  let cleanup = async () => {};

  const copyIn = async (cluster: 'member2' | 'member3', service: string, marker: number) => {
    const { ours } = await slicesIn(sb, cluster, ns, service);
    assert.deepEqual(readyAddresses(ours), [`10.${marker}.0.1`], `${service} in ${cluster}`);
  };

  before(async () => {
    sb = await useSandbox();
    assert.ok(sb.extraMembers.includes('member3'), 'the sandbox runs member3 (make test-e2e starts it)');
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    const port = sb.layout.clusters.member3?.apiserverPort;
    assert.ok(port, 'member3 has an apiserver port');
    proxy = await startTcpProxy(port);
    const kubeconfig = await kubeconfigThrough(
      sb,
      'member3',
      proxy.port,
      path.join(sb.layout.dir, 'slow-member.kubeconfig'),
    );
    syncer = await startSyncer(sb, 'syncer-slow-member', ['--workers=2'], {
      contexts: ['member1', 'member2', 'member3'],
      memberKubeconfig: kubeconfig,
    });
    await exportWrittenServices(sb, ns, ['fast'], ['member1'], ['member2']);
    await exportWrittenServices(sb, ns, SLOW, ['member1'], ['member3']);
    await eventually('every copy is in place', async () => {
      await copyIn('member2', 'fast', 1);
      for (const s of SLOW) await copyIn('member3', s, 1);
    });
  });
  after(async () => {
    await cleanup();
    await syncer?.program.stop();
    await proxy?.close();
  });

  it('carries member1 → member2 changes at once while member3 answers slowly, and member3 catches up', async () => {
    reliabilityCase('Faults', 'A member that answers slowly');
    proxy.setMode({ kind: 'delay', ms: DELAY_MS });
    // The slow member's work is queued first: every worker would be waiting on member3.
    for (const s of SLOW) await writeSourceSlice(sb, 'member1', ns, `${s}-src`, s, 2);
    const changed = Date.now();
    await writeSourceSlice(sb, 'member1', ns, 'fast-src', 'fast', 2);
    // How fast is a property of the controller, asserted on fake clocks (unit test
    // controller-member-faults.test.ts); here the bound is a hang guard, the time a figure.
    await eventually('member2 has the change', () => copyIn('member2', 'fast', 2), { timeoutMs: 60_000 });
    console.log(`member1 → member2 took ${Date.now() - changed} ms while member3 was slow`);
    await eventually(
      'member3 catches up while still slow',
      async () => {
        for (const s of SLOW) await copyIn('member3', s, 2);
      },
      { timeoutMs: 90_000 },
    );
    proxy.setMode({ kind: 'pass' });
    assert.ok(await syncer.program.alive());
  });
});
