/**
 * The coexistence rules of migration.test.ts with the consumer, member2, joined in Pull mode
 * (its karmada-agent v1.18.2 beside it, register's RBAC), Karmada's MultiClusterService gate
 * turned on in the agent and in the controller manager alike (sandbox
 * `setKarmadaMultiClusterService`). In a Pull member both sides' copies are Works that the agent
 * applies, and the syncer never sees the member itself:
 *
 * 1. Coexistence: Karmada serves; the chart with its defaults stands down and makes no Work of
 *    its own in member2's execution space (nor writes in member1).
 * 2. Switching to mcs-bridge (gate off in both, `helm upgrade` with takeOver): Karmada's Works
 *    in member2's space leave without the agent deleting what they hold, and mcs-bridge's Works
 *    are applied over the same objects: member2's endpoints, sampled every 100 ms, are never
 *    empty, and its Service copy keeps its cluster IP.
 * 3. Switching back (gate on in both while mcs-bridge runs, then `helm uninstall`): mcs-bridge
 *    withdraws its Works the same way and Karmada's take the objects over; never an empty sample.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, type V1EndpointSlice } from '@kubernetes/client-node';
import { FINALIZER_KARMADA_MCS } from '../../../syncer/karmada/facts.ts';
import { FINALIZER_CLEANUP } from '../../../syncer/names.ts';
import { reliabilityCase } from '../../reliability/case.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../../sandbox/testing.ts';
import type { LocalRelease } from '../harness/chart-release.ts';
import {
  applySeed,
  deployRound,
  EndpointSampler,
  KARMADA_DISPATCH,
  karmadaRelease,
  mcsWorks,
  readMcs,
  readyEndpoints,
  releaseSyncer,
  STANDING_DOWN,
  scaleNginx,
  WORK,
} from '../harness/karmada-mcs.ts';
import { requestsOf, type SyncerUnderTest, slicesIn } from '../harness/syncer.ts';

const STEP = { timeout: 600_000 };
const SETUP = { timeout: 600_000 };

interface OurWork {
  metadata?: { name?: string };
  spec?: unknown;
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

describe("beside Karmada's MultiClusterService controllers with member2 in Pull mode, and the switch both ways", () => {
  let sb: Sandbox;
  const ns = uniqueName('kpco');
  const cleanups: (() => Promise<unknown>)[] = [];
  let rel: LocalRelease;
  let clusterIp = '';

  const syncer = (): SyncerUnderTest => releaseSyncer(rel);
  const deploy = (verb: 'install' | 'upgrade', round: string, coexistence: object) =>
    deployRound(rel, verb, round, coexistence);
  /** mcs-bridge's Works for this namespace in member2's execution space. */
  const ourWorks = async (): Promise<OurWork[]> =>
    (
      (await sb
        .kubeConfig('hub')
        .makeApiClient(CustomObjectsApi)
        .listNamespacedCustomObject({
          ...WORK,
          namespace: 'karmada-es-member2',
          labelSelector: 'app.kubernetes.io/managed-by=mcs-bridge',
        })) as { items: OurWork[] }
    ).items.filter((w) => JSON.stringify(w.spec).includes(`"namespace":"${ns}"`));
  /**
   * member2's copies, split by who holds them: in a Pull member both are labelled as Karmada's
   * dispatcher's (ours so the agent does not report them back), ours carry the source cluster.
   */
  const copies = async (): Promise<{ ours: V1EndpointSlice[]; karmada: V1EndpointSlice[] }> => {
    const { ours, others } = await slicesIn(sb, 'member2', ns);
    const karmada = others.filter(
      (s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === KARMADA_DISPATCH,
    );
    return { ours, karmada };
  };
  const servedBy = async (who: 'ours' | 'karmada', ready: number) => {
    const c = await copies();
    const other = who === 'ours' ? 'karmada' : 'ours';
    assert.equal(readyEndpoints(c[who]), ready, `ready endpoints in ${who} copies in member2`);
    assert.deepEqual(
      c[other].map((s) => s.metadata?.name),
      [],
      `no copy of ${other} left in member2`,
    );
  };
  const member2ClusterIp = async () =>
    (
      await sb
        .kubeConfig('member2')
        .makeApiClient(CoreV1Api)
        .readNamespacedService({ namespace: ns, name: 'nginx' })
    ).spec?.clusterIP ?? '';
  const standingDown = async () => {
    const c = (await readMcs(sb, ns)).status?.conditions?.find((x) => x.type === STANDING_DOWN);
    return c ? `${c.status}/${c.reason}` : 'absent';
  };

  before(async () => {
    sb = await useSandbox();
    assert.ok(sb.karmada, 'the sandbox runs Karmada (make test-e2e starts it with --karmada)');
    await sb.setPullMembers(['member2']);
    cleanups.push(await createNamespace(sb, ns));
    const release = await karmadaRelease(sb, ns.slice(2), ns);
    rel = release.rel;
    cleanups.push(release.cleanup);
    await sb.setKarmadaMultiClusterService(true);
    await applySeed(sb, ns);
    await eventually('Karmada serves member2 (Pull) through its agent', () => servedBy('karmada', 2), {
      timeoutMs: 240_000,
    });
  }, SETUP);

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await sb.setKarmadaMultiClusterService(false).catch(() => undefined);
    await sb.setPullMembers([]);
  }, SETUP);

  it(
    'stands down while Karmada serves: the condition, and no Work of its own in member2’s execution space',
    STEP,
    async () => {
      await deploy('install', 'coexist', {});
      await eventually('the StandingDown condition', async () =>
        assert.equal(await standingDown(), 'True/KarmadaMachineryPresent'),
      );
      await scaleNginx(sb, ns, 3);
      await eventually('Karmada copies 3 endpoints', () => servedBy('karmada', 3), { timeoutMs: 120_000 });
      await scaleNginx(sb, ns, 2);
      await eventually('Karmada copies 2 endpoints', () => servedBy('karmada', 2), { timeoutMs: 120_000 });
      assert.deepEqual(await ourWorks(), [], "mcs-bridge's Works in karmada-es-member2");
      let writes = 0;
      for (const verb of ['create', 'update', 'patch', 'delete'])
        writes += await requestsOf(syncer(), 'member1', verb);
      assert.equal(writes, 0, "the syncer's writes to member1");
      assert.equal(await standingDown(), 'True/KarmadaMachineryPresent');
      clusterIp = await member2ClusterIp();
      assert.ok(clusterIp, "member2 holds Karmada's Service copy");
    },
  );

  it(
    'switches to mcs-bridge (gate off, then takeOver): its Works take Karmada’s objects in member2 over in place, never an empty sample',
    STEP,
    async () => {
      const tag = reliabilityCase(
        'Migration',
        "Karmada's MultiClusterService controllers → mcs-bridge (Pull consumer)",
      );
      const sampler = new EndpointSampler(sb, ns);
      try {
        await new Promise((r) => setTimeout(r, 2_000));
        await sb.setKarmadaMultiClusterService(false);
        await deploy('upgrade', 'takeover', { takeOver: true, probeTimeout: '10s' });
        await eventually('mcs-bridge serves member2 through its Works', () => servedBy('ours', 2), {
          timeoutMs: 180_000,
        });
        await eventually("Karmada's Works released and the condition gone", async () => {
          assert.deepEqual(
            (await mcsWorks(sb, ns)).map((w) => `${w.metadata?.namespace}/${w.metadata?.name}`),
            [],
          );
          assert.equal(await standingDown(), 'absent');
          const finalizers = (await readMcs(sb, ns)).metadata?.finalizers ?? [];
          assert.ok(!finalizers.includes(FINALIZER_KARMADA_MCS), `Karmada's finalizer gone: ${finalizers}`);
        });
        await eventually("the agent applied mcs-bridge's Works", async () => {
          const works = await ourWorks();
          assert.equal(works.length, 2, 'the Service and slice Works');
          for (const w of works) {
            const applied = w.status?.conditions?.find((c) => c.type === 'Applied');
            assert.equal(applied?.status, 'True', `${w.metadata?.name}: ${applied?.message}`);
          }
        });
        assert.equal(await member2ClusterIp(), clusterIp, "member2's Service kept its cluster IP");
        await deploy('upgrade', 'after', {});
        await scaleNginx(sb, ns, 3);
        await eventually('mcs-bridge copies 3 endpoints', () => servedBy('ours', 3), { timeoutMs: 120_000 });
        await scaleNginx(sb, ns, 2);
        await eventually('mcs-bridge copies 2 endpoints', () => servedBy('ours', 2), { timeoutMs: 120_000 });
      } finally {
        await sampler.stopAndCheck('switch to mcs-bridge (Pull consumer)', tag);
      }
    },
  );

  it(
    'switches back (gate on, mcs-bridge withdraws its Works from member2, then helm uninstall), never an empty sample',
    STEP,
    async () => {
      const tag = reliabilityCase(
        'Migration',
        "mcs-bridge → Karmada's MultiClusterService controllers (Pull consumer)",
      );
      assert.ok(rel.programs.syncer, 'mcs-bridge runs from the previous step');
      const sampler = new EndpointSampler(sb, ns);
      try {
        await new Promise((r) => setTimeout(r, 2_000));
        await sb.setKarmadaMultiClusterService(true);
        await eventually(
          "Karmada's Works hold member2's copies and mcs-bridge has let go",
          async () => {
            await servedBy('karmada', 2);
            assert.equal(await standingDown(), 'True/KarmadaMachineryPresent');
            assert.deepEqual(await ourWorks(), [], "mcs-bridge's Works in karmada-es-member2");
            const finalizers = (await readMcs(sb, ns)).metadata?.finalizers ?? [];
            assert.ok(!finalizers.includes(FINALIZER_CLEANUP), `mcs-bridge's finalizer gone: ${finalizers}`);
          },
          { timeoutMs: 180_000 },
        );
        await rel.teardown();
        await scaleNginx(sb, ns, 3);
        await eventually('Karmada copies 3 endpoints', () => servedBy('karmada', 3), { timeoutMs: 120_000 });
        await scaleNginx(sb, ns, 2);
        await eventually('Karmada copies 2 endpoints', () => servedBy('karmada', 2), { timeoutMs: 120_000 });
        assert.equal(await member2ClusterIp(), clusterIp, "member2's Service kept its cluster IP throughout");
      } finally {
        await sampler.stopAndCheck('switch back to Karmada (Pull consumer)', tag);
      }
    },
  );
});
