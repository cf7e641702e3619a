import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { shutDown } from '../../../syncer/shutdown.ts';
import { settle } from './fake-list-watch.ts';
import { fakeTimers } from './fake-timers.ts';

/** Steps that log when they run; `drain` resolves when the test says. */
function steps() {
  const log: string[] = [];
  let finishDrain: () => void = () => {};
  const drained = new Promise<void>((r) => {
    finishDrain = r;
  });
  return {
    log,
    finishDrain: () => finishDrain(),
    steps: {
      drainWrites: async () => {
        log.push('workers and write chains asked to stop');
        await drained;
        log.push('writes drained');
      },
      stopElection: async () => void log.push('election stopped'),
      fenceWrites: (reason: string) => void log.push(`fence closed: ${reason}`),
      releaseLease: async () => void log.push('Lease released'),
      stopTheRest: async () => void log.push('caches and server stopped'),
    },
  };
}

describe('shutting down', () => {
  it('releases the Lease only after the writes in flight have ended and the fence has closed', async () => {
    const s = steps();
    const clock = fakeTimers();
    const done = shutDown(s.steps, {
      logger: pino({ level: 'silent' }),
      timers: clock.timers,
      drainMs: 10_000,
    });
    await settle();
    assert.deepEqual(
      s.log,
      ['workers and write chains asked to stop'],
      'nothing else while writes are in flight',
    );
    s.finishDrain();
    await done;
    assert.deepEqual(s.log, [
      'workers and write chains asked to stop',
      'writes drained',
      'election stopped',
      'fence closed: the syncer is shutting down',
      'Lease released',
      'caches and server stopped',
    ]);
  });

  it('waits for the writes at most the drain bound, then closes the fence before releasing', async () => {
    const s = steps();
    const clock = fakeTimers();
    const lines: string[] = [];
    const logger = pino({}, { write: (l: string) => lines.push(JSON.parse(l).msg) });
    const done = shutDown(s.steps, { logger, timers: clock.timers, drainMs: 10_000 });
    await settle();
    clock.advance(9_999);
    await settle();
    assert.equal(s.log.length, 1);
    clock.advance(1);
    await done;
    assert.deepEqual(s.log.slice(1), [
      'election stopped',
      'fence closed: the syncer is shutting down',
      'Lease released',
      'caches and server stopped',
    ]);
    assert.deepEqual(lines, ['writes still in flight after 10 s of shutting down: aborting them']);
  });
});
