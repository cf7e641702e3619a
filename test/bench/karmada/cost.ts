/**
 * What changes cost a contender: API writes (hub and members apart), CPU of its processes, CPU
 * of its hub's API server, from two snapshots of its counters. Pure.
 */
import type { Writes } from './writes.ts';

/** What a contender had cost at one instant. */
export interface Snapshot {
  at: number;
  writes: Writes;
  cpuSeconds: number;
  hubApiserverCpuSeconds: number;
}

/** What a number of changes cost between two snapshots. */
export interface Cost {
  changes: number;
  seconds: number;
  writes: Writes;
  writesPerChange: Writes;
  /** CPU seconds of the contender's processes per 1,000 changes. */
  cpuSecondsPer1000: number;
  /** CPU milliseconds of the hub's API server per change. */
  hubApiserverCpuMsPerChange: number;
}

/** The cost of `changes` changes made between `before` and `after`. Pure. */
export function costBetween(before: Snapshot, after: Snapshot, changes: number): Cost {
  if (changes <= 0) throw new Error(`a cost needs at least one change, got ${changes}`);
  const writes = {
    hub: after.writes.hub - before.writes.hub,
    members: after.writes.members - before.writes.members,
  };
  return {
    changes,
    seconds: (after.at - before.at) / 1000,
    writes,
    writesPerChange: { hub: writes.hub / changes, members: writes.members / changes },
    cpuSecondsPer1000: ((after.cpuSeconds - before.cpuSeconds) / changes) * 1000,
    hubApiserverCpuMsPerChange:
      ((after.hubApiserverCpuSeconds - before.hubApiserverCpuSeconds) / changes) * 1000,
  };
}

/** Sums costs measured in several turns (each turn's figures start from its own snapshots). */
export function sumCosts(costs: readonly Cost[]): Cost | undefined {
  if (costs.length === 0) return undefined;
  const changes = costs.reduce((n, c) => n + c.changes, 0);
  const writes = {
    hub: costs.reduce((n, c) => n + c.writes.hub, 0),
    members: costs.reduce((n, c) => n + c.writes.members, 0),
  };
  const weighted = (pick: (c: Cost) => number) =>
    costs.reduce((n, c) => n + pick(c) * c.changes, 0) / changes;
  return {
    changes,
    seconds: costs.reduce((n, c) => n + c.seconds, 0),
    writes,
    writesPerChange: { hub: writes.hub / changes, members: writes.members / changes },
    cpuSecondsPer1000: weighted((c) => c.cpuSecondsPer1000),
    hubApiserverCpuMsPerChange: weighted((c) => c.hubApiserverCpuMsPerChange),
  };
}
