import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Lease } from '@kubernetes/client-node';
import { pino } from 'pino';
import { decideLease, LeaderElector, type LeaseClient } from '../../../syncer/engine/leader.ts';

const lease = (holder: string, seconds = 15): V1Lease => ({
  metadata: { name: 'l', resourceVersion: '1' },
  spec: { holderIdentity: holder, leaseDurationSeconds: seconds },
});

describe('deciding what to do with the Lease', () => {
  const cases: Array<[string, V1Lease | undefined, number, number, ReturnType<typeof decideLease>]> = [
    ['creates the Lease when there is none', undefined, 0, 0, 'create'],
    ['renews a Lease it holds', lease('me'), 0, 100_000, 'renew'],
    ['waits while another holder renewed within the lease duration', lease('other'), 1_000, 15_000, 'wait'],
    [
      'takes over when the holder has not renewed for longer than the duration',
      lease('other'),
      1_000,
      16_001,
      'acquire',
    ],
    ['takes a Lease its last holder released', lease(''), 1_000, 1_000, 'acquire'],
  ];
  for (const [name, l, observedAt, now, want] of cases) {
    it(name, () => assert.equal(decideLease(l, 'me', observedAt, now, 15_000), want));
  }
});

/** A Lease store that enforces resourceVersions like the API server. */
function memoryLeases(failing: () => boolean = () => false): LeaseClient & { stored?: V1Lease } {
  let rv = 0;
  const store: LeaseClient & { stored?: V1Lease; readonly fail: boolean } = {
    get fail() {
      return failing();
    },
    async get() {
      if (store.fail) throw new Error('connection refused');
      return store.stored && structuredClone(store.stored);
    },
    async create(l) {
      if (store.fail) throw new Error('connection refused');
      if (store.stored) throw Object.assign(new Error('already exists'), { code: 409 });
      store.stored = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } };
      return structuredClone(store.stored);
    },
    async replace(l) {
      if (store.fail) throw new Error('connection refused');
      if (l.metadata?.resourceVersion !== store.stored?.metadata?.resourceVersion) {
        throw Object.assign(new Error('conflict'), { code: 409 });
      }
      store.stored = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } };
      return structuredClone(store.stored);
    },
  };
  return store;
}

/** An elector on a virtual clock whose sleep advances time. */
function candidate(client: LeaseClient, identity: string, clock: { t: number }, log: string[]) {
  const elector: LeaderElector = new LeaderElector({
    client,
    identity,
    leaseRef: 'ns/l',
    timings: { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 },
    logger: pino({ level: 'silent' }),
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
      if (clock.t > 200_000) await elector.stop();
    },
    onStartedLeading: () => log.push(`${identity} leads at ${clock.t}`),
    onStoppedLeading: () => log.push(`${identity} stepped down at ${clock.t}`),
  });
  return elector;
}

describe('the leader elector', () => {
  it('lets exactly one of two candidates lead', async () => {
    const store = memoryLeases();
    const clock = { t: 0 };
    const log: string[] = [];
    const a = candidate(store, 'a', clock, log);
    const b = candidate(store, 'b', clock, log);
    await Promise.all([a.run(), b.run()]);
    assert.deepEqual(log, ['a leads at 0']);
  });

  it('steps down when it cannot renew within the renew deadline', async () => {
    const clock = { t: 0 };
    const store = memoryLeases(() => clock.t >= 20_000); // the API server goes away at 20 s
    const log: string[] = [];
    await candidate(store, 'a', clock, log).run();
    // Last renewal at 18 s; the deadline of 10 s passes between 28 and 30 s.
    assert.deepEqual(log, ['a leads at 0', 'a stepped down at 30000']);
  });

  it('releases the Lease on stop so the next candidate takes it without waiting', async () => {
    const store = memoryLeases();
    const clock = { t: 0 };
    const log: string[] = [];
    const a = candidate(store, 'a', clock, log);
    const running = a.run();
    await new Promise((r) => setImmediate(r));
    await a.stop();
    await running;
    assert.equal(store.stored?.spec?.holderIdentity, '');
    const b = candidate(store, 'b', clock, log);
    await b.run();
    assert.ok(
      log.some((l) => l.startsWith('b leads at')),
      log.join('; '),
    );
  });
});
