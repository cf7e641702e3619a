/**
 * Faults of a Pull-mode member (member2, the seed's consumer, joined with its karmada-agent),
 * with the chart installed the Karmada way and the seed applied, in order on one namespace:
 * 1. the agent stops: Karmada marks the Cluster not ready, and member2 keeps its copies and
 *    mcs-bridge keeps its Works (the seed's restriction), until the agent is back;
 * 2. the syncer restarts: no second Work, nothing written again;
 * 3. the Cluster is deleted while the agent is gone (the member leaves): Karmada takes the
 *    finalizers off its Works and removes its execution space, and no Work of mcs-bridge's is
 *    left or made again (the Cluster is leaving: nothing is written there). Deleting a Ready
 *    Pull member's Cluster directly hangs in Karmada whatever made its Works (the agent's Role
 *    lives in the execution space and goes first): `karmadactl unregister` deletes the Works
 *    first, as the sandbox's rejoin does.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { reliabilityCase } from '../../reliability/case.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../../sandbox/testing.ts';
import type { LocalRelease } from '../harness/chart-release.ts';
import { applySeed, karmadaRelease, karmadaValues } from '../harness/karmada-mcs.ts';
import { nginxPodIps, readyAddresses, slicesIn } from '../harness/syncer.ts';

const STEP = { timeout: 600_000 };
const CLUSTERS = { group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters' };
const WORKS = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' };

interface Work {
  metadata: { name: string; namespace: string; uid: string; resourceVersion: string };
  spec?: unknown;
}

describe('faults of a Pull-mode member (member2 with its karmada-agent)', () => {
  let sb: Sandbox;
  const ns = uniqueName('kpull');
  const cleanups: (() => Promise<unknown>)[] = [];
  let rel: LocalRelease;
  let podIps: string[] = [];

  /** mcs-bridge's Works, in every execution space. */
  const ourWorks = async () =>
    (
      (await sb
        .kubeConfig('hub')
        .makeApiClient(CustomObjectsApi)
        .listClusterCustomObject({ ...WORKS, labelSelector: 'app.kubernetes.io/managed-by=mcs-bridge' })) as {
        items: Work[];
      }
    ).items.filter((w) => JSON.stringify(w.spec).includes(`"namespace":"${ns}"`));
  const ready = async () => {
    const c = (await sb
      .kubeConfig('hub')
      .makeApiClient(CustomObjectsApi)
      .getClusterCustomObject({ ...CLUSTERS, name: 'member2' })) as {
      status?: { conditions?: { type: string; status: string }[] };
    };
    return c.status?.conditions?.find((x) => x.type === 'Ready')?.status ?? 'absent';
  };
  const copies = async () => readyAddresses((await slicesIn(sb, 'member2', ns)).ours);

  before(
    async () => {
      sb = await useSandbox();
      assert.ok(sb.karmada, 'the sandbox runs Karmada (make test-e2e starts it with --karmada)');
      await sb.setPullMembers(['member2']);
      cleanups.push(await createNamespace(sb, ns));
      const release = await karmadaRelease(sb, ns.slice(2), ns);
      rel = release.rel;
      cleanups.push(release.cleanup);
      await rel.helm('install', karmadaValues(rel));
      await rel.startPod('pull-faults');
      await applySeed(sb, ns);
      await eventually(
        'nginx ready in member1',
        async () => {
          podIps = await nginxPodIps(sb, 'member1', ns);
          assert.equal(podIps.length, 2);
        },
        { timeoutMs: 180_000 },
      );
      await eventually(
        "member2 holds member1's endpoints, through mcs-bridge's Works",
        async () => assert.deepEqual(await copies(), podIps),
        { timeoutMs: 120_000 },
      );
    },
    { timeout: 600_000 },
  );

  after(
    async () => {
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
      await sb.setPullMembers([]);
    },
    { timeout: 600_000 },
  );

  it(
    'keeps member2’s copies and its Works while its agent is stopped, and the Cluster turns not ready',
    STEP,
    async () => {
      reliabilityCase(
        'Faults',
        'Pull member: karmada-agent stopped',
        'Cluster NotReady from its lease, copies and Works kept, served again when the agent returns',
      );
      const before = (await ourWorks()).map((w) => `${w.metadata.name}@${w.metadata.uid}`).sort();
      assert.equal(before.length, 2, 'the Service and slice Works of member2');
      await sb.stopComponent({ component: 'karmada-agent', cluster: 'member2' });
      await eventually(
        'Karmada marks member2 not ready',
        async () => assert.notEqual(await ready(), 'True'),
        {
          timeoutMs: 180_000,
        },
      );
      // The seed's restriction: nothing is withdrawn from a cluster that is not ready.
      await new Promise((r) => setTimeout(r, 5_000));
      assert.deepEqual(await copies(), podIps, 'member2 keeps its copies');
      assert.deepEqual((await ourWorks()).map((w) => `${w.metadata.name}@${w.metadata.uid}`).sort(), before);
      await sb.startComponent({ component: 'karmada-agent', cluster: 'member2' });
      await eventually('member2 ready again', async () => assert.equal(await ready(), 'True'), {
        timeoutMs: 120_000,
      });
      assert.deepEqual(await copies(), podIps);
    },
  );

  it('makes no second Work and writes nothing again when the syncer restarts', STEP, async () => {
    reliabilityCase(
      'Faults',
      'Pull member: syncer restart',
      'the same Works (names and uids) before and after, none added',
    );
    const before = (await ourWorks())
      .map((w) => `${w.metadata.name}@${w.metadata.uid}@${w.metadata.resourceVersion}`)
      .sort();
    await rel.stopPod();
    await rel.startPod('pull-faults-2');
    await eventually("the new syncer's copies hold member1's endpoints", async () =>
      assert.deepEqual(await copies(), podIps),
    );
    await new Promise((r) => setTimeout(r, 5_000));
    const now = (await ourWorks()).map((w) => `${w.metadata.name}@${w.metadata.uid}`).sort();
    assert.deepEqual(
      now,
      before.map((b) => b.split('@').slice(0, 2).join('@')),
    );
  });

  it(
    'leaves no Work of its own behind when member2’s Cluster is deleted while its agent is gone',
    STEP,
    async () => {
      reliabilityCase(
        'Faults',
        'Pull member removed while its agent is gone (Cluster deleted)',
        "Karmada takes the finalizers off a not-ready Pull member's Works and removes its execution space; no Work of mcs-bridge's is left or made again",
      );
      await sb.stopComponent({ component: 'karmada-agent', cluster: 'member2' });
      await eventually(
        'Karmada marks member2 not ready',
        async () => assert.notEqual(await ready(), 'True'),
        {
          timeoutMs: 180_000,
        },
      );
      await sb
        .kubeConfig('hub')
        .makeApiClient(CustomObjectsApi)
        .deleteClusterCustomObject({ ...CLUSTERS, name: 'member2' });
      await eventually(
        'no Work of mcs-bridge left, and the execution space gone',
        async () => {
          assert.deepEqual(
            (await ourWorks()).map((w) => `${w.metadata.namespace}/${w.metadata.name}`),
            [],
          );
          const spaces = await sb.kubeConfig('hub').makeApiClient(CoreV1Api).listNamespace();
          assert.ok(!spaces.items.some((n) => n.metadata?.name === 'karmada-es-member2'));
        },
        { timeoutMs: 180_000 },
      );
    },
  );
});
