/**
 * One contender's turn on the shared sandbox: it stands up, catches up, is warmed up, measured,
 * and stands down again. A latency turn makes changes one at a time and then under churn; a
 * ramp turn offers changes at rising rates until the copies fall behind.
 */
import { churn, type LatencyRun, sequential } from '../syncer/propagation.ts';
import { percentiles } from '../syncer/stats.ts';
import { type Arena, copyName, snapshot } from './arena.ts';
import type { Contender } from './contenders.ts';
import { type Cost, costBetween } from './cost.ts';
import { keepRamping, type RampStep } from './ramp.ts';

/** How long a contender may take to have every copy of its arena in place after it starts. */
const CATCH_UP_MS = 600_000;

/** Sizes of a latency turn. */
export interface LatencyTurnSizes {
  warmup: number;
  sequential: number;
  churnRate: number;
  churnSeconds: number;
}

/** What a latency turn measured. */
export interface LatencyTurn {
  sequential: LatencyRun;
  sequentialCost: Cost;
  churn?: LatencyRun;
  churnCost?: Cost;
}

export const take = (arena: Arena, n: number) => {
  const first = arena.marker;
  arena.marker += n;
  return first;
};

/** What a turn needs of a contender (the Pull run's contenders have only this). */
export type TurnTaker = Pick<Contender, 'start' | 'stop'> & { readonly id: string };

/** Stands the contender up and waits until its copies are all there, then warms it up. */
export async function standUp(
  arena: Arena,
  contender: TurnTaker,
  members: readonly string[],
  warmup: number,
  copyOf: (slice: string) => string = copyName,
) {
  await contender.start(members);
  await arena.watcher.until(arena.copies, CATCH_UP_MS);
  const n = Math.max(1, warmup);
  await sequential(
    arena.writer,
    arena.single,
    copyOf(arena.single.metadata?.name ?? ''),
    arena.watcher,
    n,
    take(arena, n),
  );
}

/** A latency turn: one change at a time, then churn over the arena's churn Services. */
export async function latencyTurn(
  arena: Arena,
  contender: Contender,
  sizes: LatencyTurnSizes,
): Promise<LatencyTurn> {
  await standUp(arena, contender, ['member1', 'member2'], sizes.warmup);
  try {
    const before = await snapshot(contender);
    const seq = await sequential(
      arena.writer,
      arena.single,
      copyName(arena.single.metadata?.name ?? ''),
      arena.watcher,
      sizes.sequential,
      take(arena, sizes.sequential),
    );
    const mid = await snapshot(contender);
    const turn: LatencyTurn = { sequential: seq, sequentialCost: costBetween(before, mid, sizes.sequential) };
    if (sizes.churnSeconds > 0) {
      const total = Math.round(sizes.churnRate * sizes.churnSeconds);
      turn.churn = await churn(
        arena.writer,
        arena.churn,
        (s) => copyName(s),
        arena.watcher,
        sizes.churnRate,
        sizes.churnSeconds,
        take(arena, total),
      );
      turn.churnCost = costBetween(mid, await snapshot(contender), total);
    }
    return turn;
  } finally {
    await contender.stop();
  }
}

/** Sizes of a ramp turn. */
export interface RampSizes {
  warmup: number;
  rates: readonly number[];
  stepSeconds: number;
}

/** A ramp turn: steps at the given rates, stopping after the first step not carried. */
export async function rampTurn(
  arena: Arena,
  contender: TurnTaker,
  sizes: RampSizes,
  log: (s: string) => void,
): Promise<RampStep[]> {
  await standUp(arena, contender, ['member1', 'member2'], sizes.warmup);
  const steps: RampStep[] = [];
  try {
    for (const rate of sizes.rates) {
      const writer = arena.writer;
      writer.acks = [];
      const total = Math.round(rate * sizes.stepSeconds);
      const start = performance.now();
      const run = await churn(
        writer,
        arena.churn,
        (s) => copyName(s),
        arena.watcher,
        rate,
        sizes.stepSeconds,
        take(arena, total),
      );
      const lastAck = Math.max(start, ...writer.acks);
      const p = run.samplesMs.length > 0 ? percentiles(run.samplesMs) : undefined;
      const step: RampStep = {
        offeredPerSecond: rate,
        achievedPerSecond: writer.acks.length / ((lastAck - start) / 1000 || 1),
        arrived: run.samplesMs.length,
        coalesced: run.coalesced,
        lost: run.lost,
        p50Ms: p?.p50 ?? Number.NaN,
        p99Ms: p?.p99 ?? Number.NaN,
      };
      steps.push(step);
      log(
        `    ${contender.id}: ${rate}/s offered, ${step.achievedPerSecond.toFixed(1)}/s taken, p50 ${step.p50Ms.toFixed(1)} ms, p99 ${step.p99Ms.toFixed(1)} ms, ${run.coalesced} coalesced, ${run.lost} lost`,
      );
      if (!keepRamping(step)) break;
    }
    return steps;
  } finally {
    await contender.stop();
  }
}
