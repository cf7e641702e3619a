/**
 * Karmada's own end-to-end cases for MultiClusterService (test/e2e/suites/base/mcs_test.go),
 * run through our syncer: which clusters get which copies for each provider/consumer list,
 * with nginx running in both members.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { MEMBERS } from '../sandbox/layout.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  loadFixture,
  uniqueName,
  useSandbox,
} from '../sandbox/testing.ts';
import {
  createSeedService,
  ensureCrd,
  nginxPodIps,
  putMcs,
  readyAddresses,
  type SyncerUnderTest,
  slicesIn,
  startSyncer,
} from './harness/syncer.ts';

type Member = (typeof MEMBERS)[number];

describe("Karmada's MultiClusterService cases", () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    syncer = await startSyncer(sb, 'syncer-karmada-cases');
  });
  after(async () => {
    await Promise.all(cleanups.map((c) => c())); // while the syncer runs, so it withdraws
    await syncer?.program.stop();
  });

  /** A namespace with nginx (2 replicas) in both members and the Service on the hub. */
  async function scenario(prefix: string): Promise<{ ns: string; ips: Record<Member, string[]> }> {
    const ns = uniqueName(prefix);
    cleanups.push(await createNamespace(sb, ns));
    const deployment = await loadFixture('seed/nginx-deployment.yaml');
    for (const m of MEMBERS) await createAll(sb, m, ns, deployment);
    await createSeedService(sb, ns);
    const ips = {} as Record<Member, string[]>;
    for (const m of MEMBERS) {
      ips[m] = await eventually(`nginx pods in ${m}`, async () => {
        const found = await nginxPodIps(sb, m, ns);
        assert.equal(found.length, 2);
        return found;
      });
    }
    return { ns, ips };
  }

  /** Waits until each member holds exactly the copies from the given providers, with their pod IPs. */
  async function expectCopies(ns: string, ips: Record<Member, string[]>, want: Record<Member, Member[]>) {
    for (const consumer of MEMBERS) {
      await eventually(`${consumer} holds copies from [${want[consumer]}] only`, async () => {
        const { ours } = await slicesIn(sb, consumer, ns);
        const sources = [
          ...new Set(ours.map((s) => s.metadata?.labels?.['multicluster.kubernetes.io/source-cluster'])),
        ].sort();
        assert.deepEqual(sources, [...want[consumer]].sort(), 'source clusters of the copies');
        for (const provider of want[consumer]) {
          const fromProvider = ours.filter((s) => s.metadata?.name?.startsWith(`${provider}-`));
          assert.deepEqual(readyAddresses(fromProvider), ips[provider], `endpoints copied from ${provider}`);
        }
      });
    }
  }

  const cases: Array<{
    name: string;
    providers?: Member[];
    consumers?: Member[];
    want: Record<Member, Member[]>;
  }> = [
    {
      name: 'provider member1, consumer member2',
      providers: ['member1'],
      consumers: ['member2'],
      want: { member1: [], member2: ['member1'] },
    },
    {
      name: 'providers member1 and member2, consumer member2 (no copy of its own slices)',
      providers: ['member1', 'member2'],
      consumers: ['member2'],
      want: { member1: [], member2: ['member1'] },
    },
    {
      name: 'an empty provider list: every cluster provides',
      consumers: ['member2'],
      want: { member1: [], member2: ['member1'] },
    },
    {
      name: 'an empty consumer list: every cluster consumes',
      providers: ['member1'],
      want: { member1: [], member2: ['member1'] },
    },
    {
      name: 'both lists empty: each member gets the other one',
      want: { member1: ['member2'], member2: ['member1'] },
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const { ns, ips } = await scenario('karmada');
      await putMcs(sb, ns, c.providers, c.consumers);
      await expectCopies(ns, ips, c.want);
    });
  }

  it('switching the lists moves the copies: provider member1 → member2, consumer member2 → member1', async () => {
    const { ns, ips } = await scenario('switch');
    await putMcs(sb, ns, ['member1'], ['member2']);
    await expectCopies(ns, ips, { member1: [], member2: ['member1'] });
    await putMcs(sb, ns, ['member2'], ['member1']);
    await expectCopies(ns, ips, { member1: ['member2'], member2: [] });
    await putMcs(sb, ns, ['member1', 'member2'], ['member1', 'member2']);
    await expectCopies(ns, ips, { member1: ['member2'], member2: ['member1'] });
  });

  it('a provider that does not exist gives a ClusterNotFound warning and no copies', async () => {
    const { ns, ips } = await scenario('notfound');
    await putMcs(sb, ns, ['member3'], ['member2']);
    await eventually('a ClusterNotFound warning event on the MCS', async () => {
      const events = await sb
        .kubeConfig('hub')
        .makeApiClient(CoreV1Api)
        .listNamespacedEvent({ namespace: ns });
      const found = events.items.find((e) => e.reason === 'ClusterNotFound');
      assert.ok(found, `events: ${events.items.map((e) => e.reason).join(', ')}`);
      assert.equal(found.type, 'Warning');
      assert.match(found.message ?? '', /member3/);
    });
    await expectCopies(ns, ips, { member1: [], member2: [] });
  });
});
