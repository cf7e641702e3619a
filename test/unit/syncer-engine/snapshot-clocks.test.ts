/**
 * The snapshot puts a member's not-ready time, kept on the monotonic clock, onto the wall time
 * the planner reads: `--unready-grace` lasts as long as it says, whatever the wall clock did.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Member } from '../../../syncer/engine/clusters.ts';
import type { HubCache } from '../../../syncer/engine/hub-cache.ts';
import { buildSnapshot } from '../../../syncer/engine/snapshot.ts';
import { isLost } from '../../../syncer/plan/clusters.ts';

const none = { get: () => undefined };
const hub = { synced: true, mcs: none, services: none } as unknown as HubCache;

/** A member not ready since `notReadySince` on the monotonic clock. */
const member = (notReadySince: number) =>
  ({
    name: 'member1',
    ready: false,
    notReadySince,
    cache: { synced: true, namespaces: none, services: none, slicesOf: () => [] },
  }) as unknown as Member;

const GRACE = 30_000;
const WALL = 1_800_000_000_000;

describe('the not-ready grace period across wall clock steps', () => {
  // [name, monotonic now, wall now, lost]: the member went not ready at monotonic 100_000.
  const cases: Array<[string, number, number, boolean]> = [
    ['is not over 29 s later', 129_000, WALL + 29_000, false],
    ['is over 30 s later', 130_000, WALL + 30_000, true],
    ['is over 30 s later though the wall clock stepped back 60 s', 130_000, WALL - 30_000, true],
    ['is not over 10 s later though the wall clock stepped forward 60 s', 110_000, WALL + 70_000, false],
  ];
  for (const [name, monotonicNow, wallNow, lost] of cases) {
    it(name, () => {
      const s = buildSnapshot('default/nginx', {
        hub,
        sourceSynced: true,
        members: [member(100_000)],
        now: wallNow,
        monotonicNow,
        unreadyGraceMs: GRACE,
      });
      const m = s.clusters[0];
      assert.ok(m);
      assert.equal(isLost(m, GRACE, s.now), lost);
    });
  }
});
