/**
 * A partition, not a stopped server: the leader's connection to the hub goes silent (packets
 * dropped, no reset, no close) while the hub changes; the cut-off leader must stop writing, and
 * exit saying so, before the standby leads, and the standby carries the changes on. The
 * scenario and its checks are harness/leader-partition.ts's.
 */
import { after, before, describe, it } from 'node:test';
import { reliabilityCase } from '../reliability/case.ts';
import { LeaderPartition } from './harness/leader-partition.ts';

describe('a leader cut off from the hub by a silent network', () => {
  const partition = new LeaderPartition('partition');
  before(() => partition.setUp());
  after(() => partition.tearDown());

  it('stops the cut-off leader writing before the standby leads; the standby carries the changes on', async () => {
    reliabilityCase(
      'Faults',
      'Leader cut off from the hub (silent network)',
      "two syncers with --leader-elect, the leader's hub connection through a proxy that goes silent (no reset, no close) while the hub changes: the old leader stops and exits before the standby leads, the members receive no write beyond the new leader's (watched in the members), and the standby carries a member1 change to member2",
    );
    await partition.run();
  });
});
