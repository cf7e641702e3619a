/**
 * The write gate on its own clock and timers: it closes at the end of each validity by itself,
 * aborting what is in flight then, whatever the elector's timers do.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WriteGate, WritesFencedError } from '../../../syncer/kube/write-gate.ts';
import { fakeTimers } from './fake-timers.ts';

describe('the write gate', () => {
  it('aborts the writes in flight at the deadline it was opened until, with no one closing it', () => {
    const clock = fakeTimers();
    const gate = new WriteGate(clock.now, false, clock.timers);
    gate.allowUntil(10_000);
    const inFlight = gate.signal;
    clock.advance(9_999);
    assert.equal(inFlight.aborted, false, 'still valid');
    clock.advance(1);
    assert.equal(gate.open, false);
    assert.equal(inFlight.aborted, true, 'the write sent under the validity is aborted at its end');
    assert.ok(inFlight.reason instanceof WritesFencedError);
  });

  it('lets the writes in flight go on when the deadline is moved on in time', () => {
    const clock = fakeTimers();
    const gate = new WriteGate(clock.now, false, clock.timers);
    gate.allowUntil(10_000);
    const inFlight = gate.signal;
    clock.advance(8_000);
    gate.allowUntil(18_000);
    clock.advance(9_000);
    assert.equal(inFlight.aborted, false);
    assert.equal(gate.open, true);
    clock.advance(1_000);
    assert.equal(inFlight.aborted, true);
  });

  it('gives the writes of a later validity a signal of their own', () => {
    const clock = fakeTimers();
    const gate = new WriteGate(clock.now, false, clock.timers);
    gate.allowUntil(1_000);
    clock.advance(1_000);
    gate.allowUntil(5_000);
    assert.equal(gate.open, true);
    assert.equal(gate.signal.aborted, false);
  });

  it('re-arms a timer that fired before the deadline instead of aborting early', () => {
    const clock = fakeTimers();
    const early = {
      setTimeout: (fn: () => void, ms: number) => clock.timers.setTimeout(fn, ms - 500),
      clearTimeout: clock.timers.clearTimeout,
    };
    const gate = new WriteGate(clock.now, false, early);
    gate.allowUntil(10_000);
    const inFlight = gate.signal;
    clock.advance(9_500);
    assert.equal(inFlight.aborted, false);
    clock.advance(500);
    assert.equal(inFlight.aborted, true);
  });

  it('stays shut once closed for good, aborting what was in flight', () => {
    const clock = fakeTimers();
    const gate = new WriteGate(clock.now, false, clock.timers);
    gate.allowUntil(10_000);
    const inFlight = gate.signal;
    gate.close('lost leadership');
    assert.equal(inFlight.aborted, true);
    gate.allowUntil(20_000);
    assert.equal(gate.open, false);
    assert.throws(() => gate.check('PUT /x'), /PUT \/x not sent: lost leadership/);
  });
});
