/**
 * mcs-bridge beside Karmada's own MultiClusterService controllers, and the switch both ways, as
 * docs/migrating-from-karmada.md tells users:
 *
 * 1. Coexistence: Karmada's gate on and serving the seed; the chart installed with its defaults
 *    stands down for the MCS (condition, Warning Event, log line), writes nothing in the members
 *    and does not flap while Karmada's copies change.
 * 2. Switching to mcs-bridge: gate off, then `helm upgrade` with karmadaCoexistence.takeOver:
 *    the syncer adopts Karmada's copies in place and releases its Works, as the chart
 *    ServiceAccount (so the chart's takeover RBAC is exercised); then takeOver off again.
 *    member2's endpoints for nginx, sampled every 100 ms from before the switch until after
 *    it, are never empty.
 * 3. Switching back: gate on first while mcs-bridge still runs (it hands its copies to
 *    Karmada's Works in place), then `helm uninstall`; again never an empty sample.
 *
 * The release's pod runs as local processes (harness/chart-release.ts); a `helm upgrade` is
 * followed by a new round of the pod, as the Deployment would roll. The steps run in order on
 * one namespace: each starts from where the previous one left off.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { FINALIZER_KARMADA_MCS } from '../../../syncer/karmada/facts.ts';
import { FINALIZER_CLEANUP } from '../../../syncer/names.ts';
import { reliabilityCase } from '../../reliability/case.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../../sandbox/testing.ts';
import type { LocalRelease } from '../harness/chart-release.ts';
import {
  applySeed,
  ConditionRecorder,
  copiesIn,
  deployRound,
  EndpointSampler,
  KARMADA_DISPATCH,
  karmadaRelease,
  karmadaServes,
  mcsWorks,
  OUR_DISPATCH,
  readMcs,
  readyEndpoints,
  releaseSyncer,
  STANDING_DOWN,
  scaleNginx,
} from '../harness/karmada-mcs.ts';
import { requestsOf, type SyncerUnderTest } from '../harness/syncer.ts';

const STEP = { timeout: 600_000 };
/** Long enough for several of Karmada's rounds of copies, short enough for the suite. */
const WATCH_FOR_FLAPS_MS = 20_000;
const WRITES = ['create', 'update', 'patch', 'delete'];

/** The syncer's writes to the members (hub writes are its condition and Events). */
async function memberWrites(syncer: SyncerUnderTest): Promise<number> {
  let n = 0;
  for (const cluster of ['member1', 'member2'])
    for (const verb of WRITES) n += await requestsOf(syncer, cluster, verb);
  return n;
}

/** The StandingDown condition of the MCS as `status/reason`, or `absent`. */
async function standingDown(sb: Sandbox, ns: string): Promise<string> {
  const c = (await readMcs(sb, ns)).status?.conditions?.find((x) => x.type === STANDING_DOWN);
  return c ? `${c.status}/${c.reason}` : 'absent';
}

/** The Events of the MCS with `reason`, as `type: message`. */
async function eventsOf(sb: Sandbox, ns: string, reason: string): Promise<string[]> {
  const list = await sb
    .kubeConfig('hub')
    .makeApiClient(CoreV1Api)
    .listNamespacedEvent({
      namespace: ns,
      fieldSelector: `involvedObject.name=nginx,involvedObject.kind=MultiClusterService,reason=${reason}`,
    });
  return list.items.map((e) => `${e.type}: ${e.message}`);
}

/** Every copy in member2 is `manager`'s and they hold `ready` ready endpoints together. */
async function servedBy(sb: Sandbox, ns: string, manager: string, ready: number): Promise<void> {
  const other = manager === OUR_DISPATCH ? KARMADA_DISPATCH : OUR_DISPATCH;
  const mine = await copiesIn(sb, ns, manager);
  assert.equal(readyEndpoints(mine), ready, `ready endpoints in ${manager}'s copies in member2`);
  assert.deepEqual(
    (await copiesIn(sb, ns, other)).map((s) => s.metadata?.name),
    [],
    `no copy of ${other} left in member2`,
  );
}

describe("beside Karmada's MultiClusterService controllers, and the switch both ways", () => {
  let sb: Sandbox;
  const ns = uniqueName('kmig');
  const cleanups: (() => Promise<unknown>)[] = [];
  let rel: LocalRelease;

  const syncer = (): SyncerUnderTest => releaseSyncer(rel);
  const deploy = (verb: 'install' | 'upgrade', round: string, coexistence: object) =>
    deployRound(rel, verb, round, coexistence);

  before(async () => {
    sb = await useSandbox();
    assert.ok(sb.karmada, 'the sandbox runs Karmada (make test-e2e starts it with --karmada)');
    cleanups.push(await createNamespace(sb, ns));
    const release = await karmadaRelease(sb, ns.slice(2), ns);
    rel = release.rel;
    cleanups.push(release.cleanup);
    await sb.setKarmadaMultiClusterService(true);
    await applySeed(sb, ns);
    await karmadaServes(sb, ns, 2);
  });

  after(async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    await sb.setKarmadaMultiClusterService(false).catch(() => undefined);
  });

  it(
    'stands down while Karmada serves the MCS: condition, Warning Event and log line, no member write, no flapping',
    STEP,
    async () => {
      const recorder = new ConditionRecorder(sb, ns, STANDING_DOWN);
      await recorder.start();
      cleanups.push(async () => recorder.stop());
      await deploy('install', 'coexist', {});
      await eventually('the StandingDown condition', async () =>
        assert.equal(await standingDown(sb, ns), 'True/KarmadaMachineryPresent'),
      );
      const events = await eventually('the StandingDown Event', async () => {
        const e = await eventsOf(sb, ns, 'StandingDown');
        assert.equal(e.length, 1, 'one StandingDown Event');
        return e;
      });
      assert.match(events[0] ?? '', /^Warning: Karmada's MultiClusterService controllers serve .*\/nginx/);
      const log = await readFile(syncer().program.logFile, 'utf8');
      assert.match(log, /"level":40.*"reason":"KarmadaMachineryPresent"/, 'a warn line in the syncer log');

      // Karmada's copies change under it (3 endpoints, then 2 again): still nothing from us.
      const watchedUntil = Date.now() + WATCH_FOR_FLAPS_MS;
      await scaleNginx(sb, ns, 3);
      await karmadaServes(sb, ns, 3);
      await scaleNginx(sb, ns, 2);
      await karmadaServes(sb, ns, 2);
      const rest = watchedUntil - Date.now();
      if (rest > 0) await new Promise((r) => setTimeout(r, rest));

      assert.equal(await memberWrites(syncer()), 0, "the syncer's writes to the members");
      await servedBy(sb, ns, KARMADA_DISPATCH, 2);
      const versions = recorder.versions();
      assert.deepEqual(versions.slice(versions[0] === 'absent/' ? 1 : 0), ['True/KarmadaMachineryPresent']);
      assert.equal(recorder.transitions(), 1, 'the condition appeared once and stayed');
      assert.equal((await eventsOf(sb, ns, 'StandingDown')).length, 1, 'still one StandingDown Event');
    },
  );

  it(
    'switches to mcs-bridge (gate off, then helm upgrade with takeOver) with never an empty sample of member2’s endpoints',
    STEP,
    async () => {
      const tag = reliabilityCase('Migration', "Karmada's MultiClusterService controllers → mcs-bridge");
      const sampler = new EndpointSampler(sb, ns);
      try {
        await new Promise((r) => setTimeout(r, 2_000));
        await sb.setKarmadaMultiClusterService(false);
        await deploy('upgrade', 'takeover', { takeOver: true, probeTimeout: '10s' });
        await eventually('mcs-bridge serves member2', () => servedBy(sb, ns, OUR_DISPATCH, 2), {
          timeoutMs: 180_000,
        });
        await eventually("Karmada's Works released and the condition gone", async () => {
          assert.deepEqual(
            (await mcsWorks(sb, ns)).map((w) => `${w.metadata?.namespace}/${w.metadata?.name}`),
            [],
          );
          assert.equal(await standingDown(sb, ns), 'absent');
          const finalizers = (await readMcs(sb, ns)).metadata?.finalizers ?? [];
          assert.ok(!finalizers.includes(FINALIZER_KARMADA_MCS), `Karmada's finalizer gone: ${finalizers}`);
        });
        // The takeover's rights are for the switch only; mcs-bridge serves on without them.
        await deploy('upgrade', 'after', {});
        await scaleNginx(sb, ns, 3);
        await eventually('mcs-bridge copies 3 endpoints', () => servedBy(sb, ns, OUR_DISPATCH, 3));
        await scaleNginx(sb, ns, 2);
        await eventually('mcs-bridge copies 2 endpoints', () => servedBy(sb, ns, OUR_DISPATCH, 2));
        assert.equal(await standingDown(sb, ns), 'absent');
      } finally {
        await sampler.stopAndCheck('switch to mcs-bridge', tag);
      }
    },
  );

  it(
    'switches back (gate on, mcs-bridge hands its copies over, then helm uninstall) with never an empty sample',
    STEP,
    async () => {
      const tag = reliabilityCase('Migration', "mcs-bridge → Karmada's MultiClusterService controllers");
      assert.ok(rel.programs.syncer, 'mcs-bridge runs from the previous step');
      const sampler = new EndpointSampler(sb, ns);
      try {
        await new Promise((r) => setTimeout(r, 2_000));
        await sb.setKarmadaMultiClusterService(true);
        await eventually(
          "Karmada's Works hold member2's copies and mcs-bridge has let go",
          async () => {
            await servedBy(sb, ns, KARMADA_DISPATCH, 2);
            assert.equal(await standingDown(sb, ns), 'True/KarmadaMachineryPresent');
            const finalizers = (await readMcs(sb, ns)).metadata?.finalizers ?? [];
            assert.ok(!finalizers.includes(FINALIZER_CLEANUP), `mcs-bridge's finalizer gone: ${finalizers}`);
          },
          { timeoutMs: 180_000 },
        );
        await rel.teardown();
        // It is Karmada that serves now: a new endpoint reaches member2 through it.
        await scaleNginx(sb, ns, 3);
        await karmadaServes(sb, ns, 3);
        await scaleNginx(sb, ns, 2);
        await karmadaServes(sb, ns, 2);
        await servedBy(sb, ns, KARMADA_DISPATCH, 2);
      } finally {
        await sampler.stopAndCheck('switch back to Karmada', tag);
      }
    },
  );
});
