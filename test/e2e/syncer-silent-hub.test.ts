/**
 * The hub goes silent (the syncer's connection to it through a proxy that drops everything,
 * with no reset and no close): the syncer says so, keeps the members as they are, and once
 * the hub answers again carries out the change made on it meanwhile.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { startTcpProxy, type TcpProxy } from '../sandbox/tcp-proxy.ts';
import { eventually, useSandbox } from '../sandbox/testing.ts';
import {
  conditionOf,
  ensureCrd,
  kubeconfigThrough,
  metricOf,
  nginxPodIps,
  putMcs,
  readMcs,
  readyAddresses,
  SHORT_REQUEST_TIMEOUT_FLAG,
  SHORT_REQUEST_TIMEOUT_MS,
  type SyncerUnderTest,
  seedConverged,
  slicesIn,
  startSyncer,
} from './harness/syncer.ts';

describe('the syncer when the hub goes silent', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest | undefined;
  let proxy: TcpProxy;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    proxy = await startTcpProxy(sb.layout.clusters.hub.apiserverPort);
    const hub = await kubeconfigThrough(
      sb,
      'hub',
      proxy.port,
      path.join(sb.layout.dir, 'silent-hub.kubeconfig'),
    );
    syncer = await startSyncer(sb, 'syncer-silent-hub', [SHORT_REQUEST_TIMEOUT_FLAG], { hubKubeconfig: hub });
  });
  after(async () => {
    proxy?.setMode({ kind: 'pass' });
    await Promise.all(cleanups.map((c) => c()));
    await syncer?.program.stop();
    await proxy?.close();
  });

  it('reports the silent hub, keeps the members as they are, and carries out the change made meanwhile once it answers', async () => {
    reliabilityCase(
      'Faults',
      'Hub silent (packets dropped, no reset)',
      "the syncer's hub connection through a proxy gone silent for longer than the syncer's request bound (--request-timeout 5s; 30 s by default): reported (hub_ready 0 and a log line), member2's copies unchanged meanwhile, and a change made on the hub during the silence carried out once it answers",
    );
    const s = syncer;
    assert.ok(s);
    const { ns, cleanup } = await seedConverged(sb, 'silent-hub', ['member1', 'member2']);
    cleanups.push(cleanup);
    const versions = async () =>
      (await slicesIn(sb, 'member2', ns)).ours
        .map((x) => `${x.metadata?.name}@${x.metadata?.resourceVersion}`)
        .sort();
    const before = await versions();
    assert.equal(await metricOf(s, 'mcs_bridge_syncer_hub_ready'), 1);

    proxy.setMode({ kind: 'silent' });
    // Made on the hub (directly) while the syncer cannot see it: both members now provide and consume.
    await putMcs(sb, ns, ['member1', 'member2'], ['member1', 'member2']);
    await eventually(
      'the syncer reports the hub silent',
      async () => {
        assert.equal(await metricOf(s, 'mcs_bridge_syncer_hub_ready'), 0);
        assert.match(
          await readFile(s.program.logFile, 'utf8'),
          /the hub does not answer .*member clusters are kept as they are/,
        );
      },
      { timeoutMs: 30_000 },
    );
    // Silent past the request bound: every hub request sent into the silence has been aborted at
    // its deadline, and the members are still as they were.
    await new Promise((r) => setTimeout(r, SHORT_REQUEST_TIMEOUT_MS + 2_000));
    assert.ok(await s.program.alive(), 'the syncer rode out the silence');
    assert.deepEqual(await versions(), before, "member2's copies are as they were");
    assert.deepEqual(
      readyAddresses((await slicesIn(sb, 'member1', ns)).ours),
      [],
      'the change was not seen meanwhile',
    );

    proxy.setMode({ kind: 'pass' });
    await eventually(
      "once the hub answers, member1 receives member2's endpoints too",
      async () => {
        assert.deepEqual(
          readyAddresses((await slicesIn(sb, 'member1', ns)).ours),
          await nginxPodIps(sb, 'member2', ns),
        );
        assert.match(conditionOf(await readMcs(sb, ns), 'EndpointSliceDispatched'), /^True\//);
        assert.equal(await metricOf(s, 'mcs_bridge_syncer_hub_ready'), 1);
      },
      { timeoutMs: 90_000 },
    );
    assert.match(await readFile(s.program.logFile, 'utf8'), /the hub answers again/);
  });
});
