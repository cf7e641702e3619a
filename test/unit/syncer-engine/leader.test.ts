import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Lease } from '@kubernetes/client-node';
import { pino } from 'pino';
import { decideLease, LeaderElector, type LeaderTimings } from '../../../syncer/engine/leader.ts';
import type { LeaseClient } from '../../../syncer/kube/lease-client.ts';
import { WriteGate } from '../../../syncer/kube/write-gate.ts';
import { fakeTimers } from './fake-timers.ts';

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

/** How a candidate's connection to the API server behaves at a given time. */
type Link = 'up' | 'refused' | 'hangs-ignoring-abort' | 'hangs-until-aborted';

/** One Lease in memory, enforcing resourceVersions like the API server. */
function leaseStore() {
  let rv = 0;
  const store: { stored?: V1Lease; requests: string[] } = { requests: [] };
  /** A client of the store for one candidate whose link is `link()` at the time of each request. */
  const clientFor = (name: string, link: () => Link, now: () => number): LeaseClient => {
    const call = <T>(verb: string, signal: AbortSignal, fn: () => T): Promise<T> => {
      store.requests.push(`${name} ${verb} at ${now()}`);
      const l = link();
      if (l === 'refused') return Promise.reject(new Error('connection refused'));
      if (l === 'hangs-ignoring-abort') return new Promise(() => {});
      if (l === 'hangs-until-aborted')
        return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
      try {
        return Promise.resolve(fn());
      } catch (err) {
        return Promise.reject(err);
      }
    };
    return {
      get: (signal) => call('get', signal, () => store.stored && structuredClone(store.stored)),
      create: (l, signal) =>
        call('create', signal, () => {
          if (store.stored) throw Object.assign(new Error('already exists'), { code: 409 });
          store.stored = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } };
          return structuredClone(store.stored);
        }),
      replace: (l, signal) =>
        call('replace', signal, () => {
          if (l.metadata?.resourceVersion !== store.stored?.metadata?.resourceVersion)
            throw Object.assign(new Error('conflict'), { code: 409 });
          store.stored = { ...l, metadata: { ...l.metadata, resourceVersion: String(++rv) } };
          return structuredClone(store.stored);
        }),
    };
  };
  return { store, clientFor };
}

const TIMINGS: LeaderTimings = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/**
 * A candidate on the shared fake monotonic clock (its timers fire on it), recording what
 * happens to it. `wall` is its own wall clock, which may differ from the others' and step.
 */
function candidate(
  clientFor: ReturnType<typeof leaseStore>['clientFor'],
  clock: ReturnType<typeof fakeTimers>,
  name: string,
  log: string[],
  link: () => Link = () => 'up',
  wall: () => number = () => 1_800_000_000_000 + clock.now(),
) {
  const gate = new WriteGate(clock.now, false, clock.timers);
  const elector = new LeaderElector({
    client: clientFor(name, link, clock.now),
    identity: name,
    leaseRef: 'ns/l',
    timings: TIMINGS,
    logger: pino({ level: 'silent' }),
    clocks: { monotonic: clock.now, wall },
    timers: clock.timers,
    fence: {
      allowUntil: (t) => gate.allowUntil(t),
      close: (reason) => {
        log.push(`${name} fenced at ${clock.now()}`);
        gate.close(reason);
      },
    },
    onStartedLeading: () => log.push(`${name} leads at ${clock.now()}`),
    onStoppedLeading: () => log.push(`${name} stepped down at ${clock.now()}`),
  });
  return { elector, gate };
}

/** Moves the fake clock in steps of 100 ms, letting promises settle after each. */
async function runUntil(clock: ReturnType<typeof fakeTimers>, until: number, each?: () => void) {
  const settle = async () => {
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
  };
  await settle();
  while (clock.now() < until) {
    clock.advance(100);
    await settle();
    each?.();
  }
}

const timeOf = (log: string[], prefix: string) => {
  const line = log.find((l) => l.startsWith(prefix));
  assert.ok(line, `${prefix}: not in ${log.join('; ')}`);
  return Number(line.split(' at ')[1]);
};

describe('the leader elector', () => {
  it('lets exactly one of two candidates lead', async () => {
    const clock = fakeTimers();
    const { clientFor } = leaseStore();
    const log: string[] = [];
    const a = candidate(clientFor, clock, 'a', log);
    const b = candidate(clientFor, clock, 'b', log);
    void a.elector.run();
    void b.elector.run();
    await runUntil(clock, 60_000);
    assert.deepEqual(log, ['a leads at 0']);
    assert.ok(a.gate.open && !b.gate.open, 'only the leader may write');
  });

  it('steps down, closing the fence, at its renew deadline when the API server refuses', async () => {
    const clock = fakeTimers();
    const { clientFor } = leaseStore();
    const log: string[] = [];
    const a = candidate(clientFor, clock, 'a', log, () => (clock.now() >= 20_000 ? 'refused' : 'up'));
    void a.elector.run();
    await runUntil(clock, 40_000);
    // Renewals are sent every 2 s (0, 2, … 18 s); the one of 18 s is the last that succeeds.
    assert.deepEqual(log, ['a leads at 0', 'a fenced at 28000', 'a stepped down at 28000']);
    assert.equal(a.gate.open, false);
  });

  for (const link of ['hangs-ignoring-abort', 'hangs-until-aborted'] as const) {
    it(`stops writing before the standby leads when its requests hang (${link})`, async () => {
      const clock = fakeTimers();
      const { clientFor, store } = leaseStore();
      const log: string[] = [];
      // The leader's link goes silent at 20.05 s: its renewal of 20 s got through, the next hangs.
      const a = candidate(clientFor, clock, 'a', log, () => (clock.now() > 20_050 ? link : 'up'));
      void a.elector.run();
      await runUntil(clock, 1_000);
      const b = candidate(clientFor, clock, 'b', log);
      void b.elector.run();
      const writesOfA: number[] = [];
      await runUntil(clock, 60_000, () => {
        if (a.gate.open) writesOfA.push(clock.now());
      });
      const stepped = timeOf(log, 'a stepped down');
      const fenced = timeOf(log, 'a fenced');
      const led = timeOf(log, 'b leads');
      // The last renewal that got through was sent at 20 s: valid until 20 + 10 s.
      assert.equal(stepped, 30_000);
      assert.equal(fenced, 30_000);
      assert.ok(led >= 20_000 + TIMINGS.leaseDurationMs, `b led at ${led}`);
      assert.ok(Math.max(...writesOfA) < led, 'a let no write through once b led');
      assert.ok(stepped < led);
      // Every renewal attempt of a was given up: none after it stepped down.
      const lastRequestOfA = Math.max(
        ...store.requests.filter((r) => r.startsWith('a ')).map((r) => Number(r.split(' at ')[1])),
      );
      assert.ok(lastRequestOfA < stepped, `a's last Lease request at ${lastRequestOfA}`);
    });
  }

  it('bounds each attempt of a candidate whose requests hang by the renew deadline, and keeps trying', async () => {
    const clock = fakeTimers();
    const { clientFor, store } = leaseStore();
    const log: string[] = [];
    const a = candidate(clientFor, clock, 'a', log, () =>
      clock.now() < 25_000 ? 'hangs-until-aborted' : 'up',
    );
    void a.elector.run();
    await runUntil(clock, 30_000);
    // Attempts at 0, 12 (10 s bound + 2 s retry) and 24 s hang; the one at 36 s… has not come yet,
    // so the Lease is taken at the first attempt after 25 s.
    assert.deepEqual(
      store.requests.filter((r) => r.startsWith('a get')),
      ['a get at 0', 'a get at 12000', 'a get at 24000'],
    );
    await runUntil(clock, 40_000);
    assert.equal(timeOf(log, 'a leads'), 36_000);
  });

  it('hands over to the standby within the lease duration and a retry period of a killed leader’s last renewal', async () => {
    const clock = fakeTimers();
    const { clientFor, store } = leaseStore();
    const log: string[] = [];
    const a = candidate(clientFor, clock, 'a', log);
    void a.elector.run();
    await runUntil(clock, 1_000);
    const b = candidate(clientFor, clock, 'b', log);
    void b.elector.run();
    await runUntil(clock, 10_500);
    // Killed: it neither renews nor releases the Lease.
    await a.elector.stop();
    const lastRenewal = Math.max(
      ...store.requests.filter((r) => r.startsWith('a replace')).map((r) => Number(r.split(' at ')[1])),
    );
    await runUntil(clock, 60_000);
    const led = timeOf(log, 'b leads');
    assert.ok(
      led > lastRenewal + TIMINGS.leaseDurationMs &&
        led <= lastRenewal + TIMINGS.leaseDurationMs + TIMINGS.retryPeriodMs,
      `b led at ${led}, a renewed last at ${lastRenewal}`,
    );
  });

  it('ends leadership at the end of its validity even when its timers fire early', async () => {
    const clock = fakeTimers();
    const { clientFor, store } = leaseStore();
    const log: string[] = [];
    const early = {
      setTimeout: (fn: () => void, ms: number) => clock.timers.setTimeout(fn, Math.max(0, ms - 500)),
      clearTimeout: clock.timers.clearTimeout,
    };
    const gate = new WriteGate(clock.now, false, early);
    const elector = new LeaderElector({
      client: clientFor('a', () => (clock.now() > 20_050 ? 'hangs-until-aborted' : 'up'), clock.now),
      identity: 'a',
      leaseRef: 'ns/l',
      timings: TIMINGS,
      logger: pino({ level: 'silent' }),
      clocks: { monotonic: clock.now, wall: () => 1_800_000_000_000 + clock.now() },
      timers: early,
      fence: {
        allowUntil: (t) => gate.allowUntil(t),
        close: (reason) => {
          log.push(`a fenced at ${clock.now()}`);
          gate.close(reason);
        },
      },
      onStartedLeading: () => log.push(`a leads at ${clock.now()}`),
      onStoppedLeading: () => log.push(`a stepped down at ${clock.now()}`),
    });
    void elector.run();
    await runUntil(clock, 40_000);
    // Its retries come early too: the last renewal that got through was sent before 20.05 s.
    const lastRenewal = Math.max(
      ...store.requests
        .filter((r) => r.startsWith('a replace'))
        .map((r) => Number(r.split(' at ')[1]))
        .filter((t) => t <= 20_050),
    );
    const end = lastRenewal + TIMINGS.renewDeadlineMs;
    assert.deepEqual(log, ['a leads at 0', `a fenced at ${end}`, `a stepped down at ${end}`]);
  });

  it('releases the Lease only when asked, after which the standby takes it without waiting', async () => {
    const clock = fakeTimers();
    const { clientFor, store } = leaseStore();
    const log: string[] = [];
    const a = candidate(clientFor, clock, 'a', log);
    void a.elector.run();
    await runUntil(clock, 1_000);
    await a.elector.stop();
    assert.equal(store.stored?.spec?.holderIdentity, 'a', 'stopping alone keeps the Lease');
    a.gate.close('shutting down');
    await a.elector.release();
    assert.equal(store.stored?.spec?.holderIdentity, '');
    const b = candidate(clientFor, clock, 'b', log);
    void b.elector.run();
    await runUntil(clock, 3_000);
    assert.equal(timeOf(log, 'b leads'), 1_000);
  });
});

/**
 * A wall clock of its own: `offset` from the shared monotonic one (candidates' clocks differ),
 * stepped by `step` ms once the monotonic clock reaches `at` (an NTP step, a VM resumed).
 */
function wallClock(clock: ReturnType<typeof fakeTimers>, offset: number, at = 0, step = 0) {
  return () => 1_800_000_000_000 + offset + clock.now() + (clock.now() >= at ? step : 0);
}

/** The two candidates' wall clocks, as [name, a's, b's]: a leads and is then cut off. */
type ClockCase = [
  string,
  (c: ReturnType<typeof fakeTimers>) => () => number,
  (c: ReturnType<typeof fakeTimers>) => () => number,
];

describe('leader election judged on the monotonic clock, whatever the wall clocks say', () => {
  const HOUR = 3_600_000;
  const cases: ClockCase[] = [
    [
      "the leader's wall clock steps back 60 s as its link goes silent",
      (c) => wallClock(c, 0, 20_100, -60_000),
      (c) => wallClock(c, 0),
    ],
    [
      "the leader's wall clock steps back 60 s and the standby's, an hour ahead, steps forward 60 s",
      (c) => wallClock(c, 0, 20_100, -60_000),
      (c) => wallClock(c, HOUR, 21_000, 60_000),
    ],
    [
      "the leader's wall clock steps forward 60 s and the standby's, an hour behind, steps back 60 s",
      (c) => wallClock(c, 0, 20_100, 60_000),
      (c) => wallClock(c, -HOUR, 21_000, -60_000),
    ],
    [
      "the standby's wall clock steps back 60 s while the leader is cut off",
      (c) => wallClock(c, 0),
      (c) => wallClock(c, 0, 22_000, -60_000),
    ],
  ];
  for (const [name, wallOfA, wallOfB] of cases) {
    it(`stops the cut-off leader writing before the standby leads, and the standby leads in time: ${name}`, async () => {
      const clock = fakeTimers();
      const { clientFor } = leaseStore();
      const log: string[] = [];
      // a's link goes silent at 20.05 s: its renewal of 20 s got through, the next ones hang.
      const a = candidate(
        clientFor,
        clock,
        'a',
        log,
        () => (clock.now() > 20_050 ? 'hangs-until-aborted' : 'up'),
        wallOfA(clock),
      );
      void a.elector.run();
      await runUntil(clock, 1_000);
      const b = candidate(clientFor, clock, 'b', log, () => 'up', wallOfB(clock));
      void b.elector.run();
      const aOpen: number[] = [];
      await runUntil(clock, 120_000, () => {
        if (a.gate.open) aOpen.push(clock.now());
      });
      const led = timeOf(log, 'b leads');
      // Valid until 20 s (the last renewal sent) + the renew deadline, on the monotonic clock.
      assert.equal(timeOf(log, 'a fenced'), 30_000);
      assert.equal(timeOf(log, 'a stepped down'), 30_000);
      assert.ok(Math.max(...aOpen) < led, `a's gate was open at ${Math.max(...aOpen)}, b led at ${led}`);
      // b saw the record change last at about 20 s: the lease duration later, at its next retry.
      assert.ok(
        led > 20_000 + TIMINGS.leaseDurationMs &&
          led <= 20_000 + TIMINGS.leaseDurationMs + TIMINGS.retryPeriodMs + 100,
        `b led at ${led}`,
      );
    });
  }

  it('keeps leading through a wall clock stepped forward 60 s, while its renewals get through', async () => {
    const clock = fakeTimers();
    const { clientFor } = leaseStore();
    const log: string[] = [];
    const a = candidate(clientFor, clock, 'a', log, () => 'up', wallClock(clock, 0, 5_100, 60_000));
    void a.elector.run();
    await runUntil(clock, 1_000);
    const b = candidate(clientFor, clock, 'b', log, () => 'up', wallClock(clock, 0, 7_000, 120_000));
    void b.elector.run();
    const aShut: number[] = [];
    await runUntil(clock, 60_000, () => {
      if (!a.gate.open) aShut.push(clock.now());
    });
    assert.deepEqual(log, ['a leads at 0']);
    assert.deepEqual(aShut, [], "a's gate stayed open");
  });

  it("stamps the Lease's acquire and renew times with the wall clock", async () => {
    const clock = fakeTimers();
    const { clientFor, store } = leaseStore();
    const log: string[] = [];
    const a = candidate(clientFor, clock, 'a', log, () => 'up', wallClock(clock, 0));
    void a.elector.run();
    await runUntil(clock, 4_000);
    const spec = store.stored?.spec;
    assert.equal(new Date(spec?.acquireTime ?? 0).getTime(), 1_800_000_000_000);
    assert.equal(new Date(spec?.renewTime ?? 0).getTime(), 1_800_000_004_000);
  });
});
