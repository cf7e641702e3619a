/**
 * The partition of syncer-partition.test.ts (harness/leader-partition.ts), with one change: at
 * the moment the leader's hub link goes silent, its wall clock steps back 60 s (an NTP step, a VM
 * resumed from a snapshot) while its monotonic clock runs on (libfaketime, see
 * harness/faketime.ts). Leadership, the write gate and every deadline run on the monotonic
 * clock, so the old leader must still stop writing, and exit, before the standby leads; on the
 * wall clock it went on writing for 60 s more and undid the new leader's work (split brain).
 */
import assert from 'node:assert/strict';
import { stat } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { reliabilityCase } from '../reliability/case.ts';
import { steppableClock } from './harness/faketime.ts';
import { LeaderPartition } from './harness/leader-partition.ts';

/** How far the leader's wall clock steps back. */
const STEP_SECONDS = -60;

describe('a leader cut off from the hub whose wall clock steps back', () => {
  const partition = new LeaderPartition('clock-step');
  before(() => partition.setUp());
  after(() => partition.tearDown());

  it('stops the cut-off leader writing before the standby leads, judged on its monotonic clock', async () => {
    reliabilityCase(
      'Faults',
      'Leader cut off from the hub as its wall clock steps back 60 s',
      "as the silent-network partition, and at the moment the leader's hub link goes silent its wall clock steps back 60 s (libfaketime; its monotonic clock runs on): the old leader stops and exits before the standby leads, and the members receive no write beyond the new leader's (watched in the members)",
    );
    const { sb } = partition;
    // A TLS handshake of the stepped process must still find the sandbox's certificates valid.
    const issued = (await stat(sb.layout.pkiDir)).mtimeMs;
    const wait = issued - STEP_SECONDS * 1000 + 10_000 - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    const clock = await steppableClock(sb.layout.dir, partition.leaderName);
    const { silentAt, lost } = await partition.run({
      leaderEnv: clock.env,
      atCutOff: () => clock.setOffset(STEP_SECONDS),
    });
    // Its log lines carry its wall clock: the step did take effect in the process.
    assert.ok(
      lost.time < silentAt + STEP_SECONDS * 1000 + 30_000,
      `the old leader's clock read ${new Date(lost.time).toISOString()} when it lost leadership, ${((silentAt - lost.time) / 1000).toFixed(0)} s before the silence began`,
    );
  });
});
