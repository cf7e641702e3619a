/**
 * Outages of the stack under the syncer: the hub's API server gone for twice the syncer's request bound, etcd
 * restarted, a provider's API server restarted while its slices change. The members keep
 * what they have meanwhile, and the syncer converges afterwards with no duplicates.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  conditionOf,
  ensureCrd,
  exportWrittenServices,
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
  writeSourceSlice,
} from './harness/syncer.ts';

describe('the syncer through outages of the stack', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    syncer = await startSyncer(sb, 'syncer-outages', [SHORT_REQUEST_TIMEOUT_FLAG]);
  });
  after(async () => {
    await Promise.all(cleanups.map((c) => c()));
    await syncer?.program.stop();
  });

  /** nginx in both members, the seed's Service, and an MCS from member1 to member2, converged. */
  async function seeded(prefix: string): Promise<string> {
    const { ns, cleanup } = await seedConverged(sb, prefix, ['member1', 'member2']);
    cleanups.push(cleanup);
    return ns;
  }

  const copyVersions = async (ns: string) =>
    (await slicesIn(sb, 'member2', ns)).ours
      .map((s) => `${s.metadata?.name}@${s.metadata?.resourceVersion}`)
      .sort();

  it('keeps the members as they were while the hub is down for twice the request bound, then carries out the change made just before', async () => {
    reliabilityCase(
      'Faults',
      'Hub API server stopped',
      "keeps the members as they were while the hub is down for twice the syncer's request bound (--request-timeout 5s; 30 s by default), then carries out the change made just before",
    );
    const ns = await seeded('hub-down');
    const before = await copyVersions(ns);
    // The change comes just before the outage: both members now provide and consume.
    await putMcs(sb, ns, ['member1', 'member2'], ['member1', 'member2']);
    await sb.stopApiserver('hub', 'SIGKILL');
    try {
      await new Promise((r) => setTimeout(r, 2 * SHORT_REQUEST_TIMEOUT_MS));
      assert.ok(await syncer.program.alive(), 'the syncer rode out the outage');
      const during = await copyVersions(ns);
      for (const copy of before.map((v) => v.split('@')[0])) {
        assert.ok(
          during.some((v) => v.startsWith(`${copy}@`)),
          `${copy} is still in member2 after ${(2 * SHORT_REQUEST_TIMEOUT_MS) / 1000} s without the hub`,
        );
      }
    } finally {
      await sb.startApiserver('hub');
    }
    await eventually(
      "after the outage, member1 receives member2's endpoints too",
      async () => {
        const ips2 = await nginxPodIps(sb, 'member2', ns);
        assert.deepEqual(readyAddresses((await slicesIn(sb, 'member1', ns)).ours), ips2);
        assert.equal(readyAddresses((await slicesIn(sb, 'member2', ns)).ours).length, 2);
        assert.match(conditionOf(await readMcs(sb, ns), 'EndpointSliceDispatched'), /^True\//);
      },
      { timeoutMs: 90_000 },
    );
  });

  it('keeps the copies through an etcd restart and follows changes after it', async () => {
    reliabilityCase('Faults', 'etcd restarted');
    const ns = await seeded('etcd');
    const before = await copyVersions(ns);
    await sb.stopComponent({ component: 'etcd' });
    try {
      await new Promise((r) => setTimeout(r, 5_000));
    } finally {
      await sb.startComponent({ component: 'etcd' });
    }
    await eventually('the copies are as they were', async () =>
      assert.deepEqual(await copyVersions(ns), before),
    );
    const { ours } = await slicesIn(sb, 'member2', ns);
    assert.equal(ours.length, before.length, 'no duplicate copies');
    await writeSourceSlice(sb, 'member1', ns, 'extra-src', 'nginx', 77);
    await eventually(
      'a slice added after the restart is copied',
      async () => {
        const names = (await slicesIn(sb, 'member2', ns)).ours.map((s) => s.metadata?.name);
        assert.ok(names.includes('member1-extra-src'), names.join(', '));
      },
      { timeoutMs: 90_000 },
    );
  });

  it("converges on the final endpoints when member1's API server restarts while its slices change", async () => {
    reliabilityCase('Faults', 'Provider API server restarted during churn');
    const ns = uniqueName('churn-restart');
    cleanups.push(await createNamespace(sb, ns));
    const names = ['a', 'b', 'c'];
    await exportWrittenServices(sb, ns, names, ['member1'], ['member2']);
    let marker = 1;
    let churning = true;
    const churn = (async () => {
      while (churning) {
        marker++;
        for (const n of names) {
          await writeSourceSlice(sb, 'member1', ns, `${n}-src`, n, marker).catch(() => undefined);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    await new Promise((r) => setTimeout(r, 2_000));
    await sb.stopApiserver('member1');
    await sb.startApiserver('member1');
    await new Promise((r) => setTimeout(r, 2_000));
    churning = false;
    await churn;
    // The last marker that reached member1 is what its slices say now.
    await eventually(
      'every copy equals its source',
      async () => {
        for (const n of names) {
          const source = (await slicesIn(sb, 'member1', ns, n)).others;
          const copies = (await slicesIn(sb, 'member2', ns, n)).ours;
          assert.equal(copies.length, 1, `one copy of ${n}`);
          assert.deepEqual(readyAddresses(copies), readyAddresses(source), `copy of ${n}`);
        }
      },
      { timeoutMs: 90_000 },
    );
  });
});
