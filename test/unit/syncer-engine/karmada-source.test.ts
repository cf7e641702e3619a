import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { pino } from 'pino';
import type { KarmadaCluster } from '../../../syncer/sources/karmada-cluster.ts';
import { KarmadaSource } from '../../../syncer/sources/karmada-source.ts';
import type { MemberDefinition } from '../../../syncer/sources/source.ts';
import { apiError, FakeCluster } from './fake-cluster.ts';
import { settle } from './fake-list-watch.ts';
import { fakeTimers } from './fake-timers.ts';

const CLUSTERS = '/apis/cluster.karmada.io/v1alpha1/clusters';
const SECRETS = '/api/v1/namespaces/karmada-cluster/secrets';

const cluster = (
  name: string,
  ready = 'True',
  extra: Partial<KarmadaCluster['status']> = {},
): KarmadaCluster => ({
  metadata: { name },
  spec: {
    apiEndpoint: `https://${name}.example:6443`,
    syncMode: 'Push',
    secretRef: { namespace: 'karmada-cluster', name },
  },
  status: {
    conditions: [
      { type: 'Ready', status: ready, reason: 'ClusterReady', message: '', lastTransitionTime: new Date(0) },
    ],
    ...extra,
  },
});

const secret = (token: string) => ({
  metadata: { name: 'x' },
  data: { token: Buffer.from(token).toString('base64'), caBundle: Buffer.from('ca').toString('base64') },
});

const sources: KarmadaSource[] = [];
afterEach(async () => {
  for (const s of sources.splice(0)) await s.stop();
});

/** A source over a fake hub holding `names`, started; what it delivered is recorded. */
async function started(
  names: string[],
  o: { secretTimeoutMs?: number; onChange?: () => void; firstList?: Error } = {},
) {
  const hub = new FakeCluster('hub');
  if (o.firstList) hub.script('LIST', CLUSTERS, o.firstList);
  for (const n of names) {
    hub.seed(`${CLUSTERS}/${n}`, cluster(n) as never);
    hub.seed(`${SECRETS}/${n}`, secret(`token-of-${n}`) as never);
  }
  const clock = fakeTimers();
  const delivered: string[][] = [];
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l).msg) });
  const source = new KarmadaSource({
    hub,
    logger,
    timers: clock.timers,
    refreshMs: 60_000,
    coalesceMs: 100,
    retryMs: 1_000,
    random: () => 0,
    secretTimeoutMs: o.secretTimeoutMs,
  });
  sources.push(source);
  const members: MemberDefinition[][] = [];
  await source.start((list: MemberDefinition[]) => {
    members.push(list);
    o.onChange?.();
    delivered.push(list.map((m) => `${m.name}:${m.sourceReady ? 'ready' : `not ready (${m.sourceReason})`}`));
  });
  const secretReads = () => hub.requests.filter((r) => r.startsWith(`GET ${SECRETS}`)).length;
  /** Lets the watch events in flight arrive, then moves the clock. */
  const tick = async (ms: number) => {
    await settle();
    clock.advance(ms);
    await settle();
  };
  return { hub, clock, delivered, members, lines, source, secretReads, tick };
}

describe('the Karmada cluster source', () => {
  it('delivers every cluster with the credentials of its Secret once started', async () => {
    const { delivered, secretReads, source } = await started(['m1', 'm2']);
    assert.deepEqual(delivered, [['m1:ready', 'm2:ready']]);
    assert.equal(secretReads(), 2);
    assert.equal(source.synced, true);
  });

  it('turns a burst of Cluster events into one refresh', async () => {
    const { hub, delivered, tick } = await started(['m1', 'm2']);
    await settle();
    for (const n of ['m1', 'm2']) hub.seed(`${CLUSTERS}/${n}`, cluster(n, 'False') as never);
    hub.seed(`${CLUSTERS}/m3`, cluster('m3') as never);
    hub.seed(`${SECRETS}/m3`, secret('token-of-m3') as never);
    await tick(100);
    assert.equal(delivered.length, 2);
    assert.deepEqual(
      delivered[1]?.map((d) => d.split(' ')[0]),
      ['m1:not', 'm2:not', 'm3:ready'],
    );
  });

  it('neither refreshes nor reads a Secret for status changes that leave readiness and endpoint alone', async () => {
    const { hub, delivered, secretReads, tick } = await started(['m1']);
    await settle();
    hub.seed(
      `${CLUSTERS}/m1`,
      cluster('m1', 'True', { resourceSummary: { allocatable: { cpu: '4' } } } as never) as never,
    );
    await tick(200);
    assert.equal(delivered.length, 1);
    assert.equal(secretReads(), 1);
  });

  it('refreshes without reading the Secret again when only readiness changes', async () => {
    const { hub, delivered, secretReads, tick } = await started(['m1']);
    await settle();
    hub.seed(`${CLUSTERS}/m1`, cluster('m1', 'False') as never);
    await tick(100);
    assert.deepEqual(delivered.at(-1), [
      'm1:not ready (its Karmada Ready condition is False (ClusterReady))',
    ]);
    assert.equal(secretReads(), 1);
  });

  it('reads every Secret again each refresh period, so rotated credentials are picked up', async () => {
    const { secretReads, tick } = await started(['m1', 'm2']);
    await tick(60_000);
    await tick(100);
    assert.equal(secretReads(), 4);
  });

  it('reads Secrets concurrently, each bounded: two that never answer cost one timeout, not two', async () => {
    const hub = new FakeCluster('hub');
    for (const n of ['m1', 'm2']) {
      hub.seed(`${CLUSTERS}/${n}`, cluster(n) as never);
      hub.script('GET', `${SECRETS}/${n}`, 'hang');
    }
    const clock = fakeTimers();
    hub.timers = clock.timers;
    const delivered: string[][] = [];
    const source = new KarmadaSource({
      hub,
      logger: pino({ level: 'silent' }),
      timers: clock.timers,
      secretTimeoutMs: 300,
    });
    sources.push(source);
    let done = false;
    const start = source
      .start((members) => delivered.push(members.map((m) => `${m.name}:${m.sourceReason ?? 'ready'}`)))
      .then(() => {
        done = true;
      });
    await settle();
    clock.advance(299);
    await settle();
    assert.equal(done, false);
    clock.advance(1);
    await start;
    assert.equal(clock.now(), 300, 'both reads ended at the one bound');
    assert.deepEqual(delivered, [
      [
        'm1:cannot read its Secret karmada-cluster/m1: GET /api/v1/namespaces/karmada-cluster/secrets/m1: no answer within 300 ms',
        'm2:cannot read its Secret karmada-cluster/m2: GET /api/v1/namespaces/karmada-cluster/secrets/m2: no answer within 300 ms',
      ],
    ]);
  });

  it('keeps the last good credentials when a Secret cannot be read again, and says so', async () => {
    const { hub, members, tick } = await started(['m1']);
    const tokenOf = (m?: MemberDefinition) => m?.kubeConfig.getCurrentUser()?.token;
    const first = members.at(-1)?.[0];
    assert.equal(tokenOf(first), 'token-of-m1');
    hub.script('GET', `${SECRETS}/m1`, apiError(403, 'Forbidden', 'secrets "m1" is forbidden'));
    await tick(60_000);
    await tick(100);
    const kept = members.at(-1)?.[0];
    assert.equal(members.length, 2, 'the refresh delivered');
    assert.equal(tokenOf(kept), 'token-of-m1', 'the last good token, not none');
    assert.equal(kept?.sourceReady, true);
    assert.equal(kept?.fingerprint, first?.fingerprint, 'so the member is left as it is');
    assert.match(
      kept?.credentialsWarning ?? '',
      /^cannot read its Secret karmada-cluster\/m1: .*forbidden.*; it keeps the credentials last read from karmada-cluster\/m1$/,
    );
    await tick(60_000);
    await tick(100);
    assert.equal(members.at(-1)?.[0]?.credentialsWarning, undefined, 'read again: no warning');
  });

  it('logs a refresh that failed and tries it again, never leaving a rejection unhandled', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (err: unknown) => unhandled.push(err);
    process.on('unhandledRejection', onUnhandled);
    try {
      let calls = 0;
      const { hub, delivered, lines, tick } = await started(['m1'], {
        onChange: () => {
          calls++;
          if (calls === 2) throw new Error('the registry refused the list');
        },
      });
      await settle();
      hub.seed(`${CLUSTERS}/m1`, cluster('m1', 'False') as never);
      await tick(100);
      assert.equal(delivered.length, 1, 'the failed delivery recorded nothing');
      assert.ok(
        lines.some((l) => /failed to refresh the member clusters .*the registry refused the list/.test(l)),
        lines.join('\n'),
      );
      await tick(1_000);
      await tick(100);
      assert.equal(delivered.length, 2, 'tried again after its backoff');
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('delivers the clusters of a list that succeeds after a failed first one, without waiting for the periodic refresh', async () => {
    const { hub, delivered, tick } = await started(['m1'], {
      firstList: new Error('connect ECONNREFUSED'),
    });
    assert.deepEqual(delivered, [], 'nothing listed yet');
    const lists = () => hub.requests.filter((r) => r === `LIST ${CLUSTERS}`).length;
    // The informer retries its list after its backoff (a hang guard bounds the loop, not the test).
    for (let i = 0; i < 200 && lists() < 2; i++) {
      await tick(50);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(lists(), 2);
    await tick(100);
    assert.deepEqual(delivered, [['m1:ready']]);
  });

  it('retries a failed refresh with a backoff that grows, with jitter spreading it', async () => {
    let calls = 0;
    const { hub, delivered, tick } = await started(['m1'], {
      onChange: () => {
        calls++;
        if (calls >= 2 && calls <= 3) throw new Error('the registry refused the list');
      },
    });
    await settle();
    hub.seed(`${CLUSTERS}/m1`, cluster('m1', 'False') as never);
    await tick(100); // fails; the next try after 1 s
    await tick(1_000);
    await tick(100); // fails again; the next after 2 s
    assert.equal(delivered.length, 1);
    await tick(1_900);
    assert.equal(delivered.length, 1, 'not before 2 s');
    await tick(200);
    assert.equal(delivered.length, 2);
  });
});
