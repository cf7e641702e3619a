import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { MemberMcsApi, REDISCOVER_MS } from '../../../syncer/engine/member-mcs-api.ts';
import { SyncerMetrics } from '../../../syncer/engine/metrics.ts';
import { FakeCluster } from './fake-cluster.ts';
import { fakeTimers } from './fake-timers.ts';

const GROUP_VERSION = '/apis/multicluster.x-k8s.io/v1beta1';

/** The member's MCS API caches over a fake API server, and the log lines they wrote. */
function mcsApiOver(served: boolean) {
  const clock = fakeTimers();
  const fake = new FakeCluster('member1');
  if (served) fake.seed(GROUP_VERSION, { metadata: { name: 'v1beta1' } }, true);
  const lines: { level: number; msg: string }[] = [];
  const logger = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const api = new MemberMcsApi({
    client: fake,
    logger,
    metrics: new SyncerMetrics(new Registry()),
    onExport: () => {},
    onImport: () => {},
    timers: clock.timers,
  });
  return { fake, api, lines, clock };
}

async function settle(until: () => boolean): Promise<void> {
  // Hang guard only: the fake answers at once; the loop ends as soon as the caches have acted.
  for (let i = 0; i < 200 && !until(); i++) await new Promise((r) => setTimeout(r, 5));
}

describe('the MCS API caches of one member', () => {
  it('watch nothing where the MCS API is not served, and say so once at info, no warning', async () => {
    const { fake, api, lines } = mcsApiOver(false);
    await api.start();
    await settle(() => lines.some((l) => /serves no/.test(l.msg)));
    await api.stop();
    assert.deepEqual(fake.requests, [`GET ${GROUP_VERSION}`]);
    assert.equal(api.synced, false);
    assert.deepEqual(
      lines.filter((l) => l.level >= 30).map((l) => [l.level, l.msg]),
      [
        [
          30,
          'member1 serves no multicluster.x-k8s.io/v1beta1: the Kubernetes MCS API takes no part there until its CRDs are installed',
        ],
      ],
    );
  });

  it('list and watch ServiceExports and ServiceImports where it is served, and sync', async () => {
    const { fake, api } = mcsApiOver(true);
    await api.start();
    await settle(() => api.synced);
    await api.stop();
    assert.equal(api.synced, true);
    assert.ok(fake.requests.includes(`LIST ${GROUP_VERSION}/serviceexports`), fake.requests.join('\n'));
    assert.ok(fake.requests.includes(`LIST ${GROUP_VERSION}/serviceimports`), fake.requests.join('\n'));
  });

  it('asks again after REDISCOVER_MS on its timer, and watches once the CRDs are there', async () => {
    const { fake, api, lines, clock } = mcsApiOver(false);
    await api.start();
    await settle(() => lines.some((l) => /serves no/.test(l.msg)));
    assert.equal(clock.pending.size, 1, 'one look scheduled');
    clock.advance(REDISCOVER_MS - 1);
    assert.deepEqual(fake.requests, [`GET ${GROUP_VERSION}`], 'no second look before REDISCOVER_MS');
    fake.seed(GROUP_VERSION, { metadata: { name: 'v1beta1' } }, true);
    clock.advance(1);
    await settle(() => api.synced);
    await api.stop();
    assert.equal(api.synced, true);
    assert.equal(fake.requests.filter((r) => r === `GET ${GROUP_VERSION}`).length, 2);
    assert.equal(clock.pending.size, 0, 'no look left scheduled');
  });

  it('starts no second discovery when restarted while one is in flight', async () => {
    const { fake, api, clock } = mcsApiOver(false);
    fake.script('GET', GROUP_VERSION, 'hang');
    await api.start();
    await api.restart();
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    await api.stop();
    assert.deepEqual(fake.requests, [`GET ${GROUP_VERSION}`]);
    assert.equal(clock.pending.size, 0, 'no look scheduled');
  });
});
