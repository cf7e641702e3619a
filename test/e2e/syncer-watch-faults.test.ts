/**
 * Watches that break: cut mid-stream (a load balancer restarting, a connection reset) or
 * expired (410 Gone: the resourceVersion the syncer resumes from is no longer served).
 * A cut resumes from the last resourceVersion with no relist; an expiry relists that one
 * cluster, not every cluster, and the syncer writes only what changed. Member1 is reached
 * through a TCP proxy on loopback, so the test can cut its connections.
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
  readyAddresses,
  requestsOf,
  type SyncerUnderTest,
  slicesIn,
  startSyncer,
  writeSourceSlice,
} from './harness/syncer.ts';

const CLUSTERS = ['hub', 'member1', 'member2'] as const;

describe('the syncer when watches are cut or expire', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  let proxy: TcpProxy;
  const ns = uniqueName('watch');
  let cleanup = async () => {};

  /** Lists made so far, per cluster. */
  const lists = async () =>
    Object.fromEntries(
      await Promise.all(CLUSTERS.map(async (c) => [c, await requestsOf(syncer, c, 'list')] as const)),
    );
  /** Writes made so far to the members (the hub also gets status writes and Events). */
  const memberWrites = async () => {
    let n = 0;
    for (const c of ['member1', 'member2'])
      for (const verb of ['create', 'update', 'delete']) n += await requestsOf(syncer, c, verb);
    return n;
  };
  const copied = async (marker: number) => {
    const { ours } = await slicesIn(sb, 'member2', ns, 'cut');
    assert.deepEqual(readyAddresses(ours), [`10.${marker}.0.1`]);
  };

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    proxy = await startTcpProxy(sb.layout.clusters.member1.apiserverPort);
    const kubeconfig = await kubeconfigThrough(
      sb,
      'member1',
      proxy.port,
      path.join(sb.layout.dir, 'watch-faults.kubeconfig'),
    );
    syncer = await startSyncer(sb, 'syncer-watch-faults', [], { memberKubeconfig: kubeconfig });
    await exportWrittenServices(sb, ns, ['cut'], ['member1'], ['member2']);
    await eventually('member2 holds the copy', () => copied(1));
  });
  after(async () => {
    await cleanup();
    await syncer?.program.stop();
    await proxy?.close();
  });

  it('resumes watches cut mid-stream from where they were, with no relist', async () => {
    reliabilityCase('Faults', 'Watches cut mid-stream');
    const listsBefore = await lists();
    const writesBefore = await memberWrites();
    assert.ok(proxy.open > 0, 'the syncer has connections open through the proxy');
    proxy.cutAll();
    await writeSourceSlice(sb, 'member1', ns, 'cut-src', 'cut', 2);
    await eventually('the change made after the cut reaches member2', () => copied(2));
    assert.ok(proxy.open > 0, 'the syncer connected again');
    assert.deepEqual(await lists(), listsBefore, 'no cluster was listed again');
    assert.equal((await memberWrites()) - writesBefore, 1, 'one write: the copy updated');
    assert.ok(await syncer.program.alive());
  });

  it('relists only the cluster whose watch expired (410 Gone), and writes only what changed', async () => {
    reliabilityCase('Faults', 'Watch expired (410 Gone)');
    const listsBefore = await lists();
    const writesBefore = await memberWrites();
    // A restarted apiserver's watch cache starts at the current revision of etcd (which the
    // other clusters keep moving), so the resourceVersion the syncer resumes from is too
    // old for it: the watch answers 410 Gone.
    await sb.stopApiserver('member1');
    await sb.startApiserver('member1');
    await writeSourceSlice(sb, 'member1', ns, 'cut-src', 'cut', 3);
    await eventually('the change made after the restart reaches member2', () => copied(3));
    const listsAfter = await lists();
    assert.ok(
      (listsAfter.member1 ?? 0) > (listsBefore.member1 ?? 0),
      `member1 was listed again (${listsBefore.member1} → ${listsAfter.member1})`,
    );
    const relists = (await readFile(syncer.program.logFile, 'utf8')).match(
      /listing \w+ in \w+ again: its watch expired \(410 Gone\)/g,
    );
    assert.ok(
      relists?.every((line) => line.includes(' in member1 ')),
      relists?.join('\n'),
    );
    assert.equal(listsAfter.member2, listsBefore.member2, 'member2 was not listed again');
    assert.equal(listsAfter.hub, listsBefore.hub, 'the hub was not listed again');
    assert.equal((await memberWrites()) - writesBefore, 1, 'one write: the copy updated');
  });
});
