/**
 * The figures of the side-by-side benchmark as bench-results.json keeps them (under "karmada"),
 * and the summaries made from the turns. Pure.
 */
import type { MachineInfo, Provenance } from '../results.ts';
import type { LatencyRun } from '../syncer/propagation.ts';
import { type Percentiles, percentiles } from '../syncer/stats.ts';
import type { ContenderId } from './contenders.ts';
import type { Cost } from './cost.ts';
import type { BenchOptions } from './options.ts';
import type { RampStep, Sustained } from './ramp.ts';
import type { ScaleRun } from './scale.ts';
import type { WebhookSideBySide } from './webhook.ts';

/** Latency over every round of one contender, with each round's own percentiles. */
export interface LatencySummary extends Percentiles {
  rounds: Percentiles[];
  /** Every sample, in ms (0.01 ms resolution): the CDF is drawn from them. */
  samplesMs: number[];
  coalesced: number;
  lost: number;
  /** Samples above 100 ms (the tail the targets bound). */
  over100Ms: number;
}

/** Summarizes the runs of the rounds of one contender; undefined when no sample arrived. */
export function summarizeLatency(runs: readonly LatencyRun[]): LatencySummary | undefined {
  const all = runs.flatMap((r) => r.samplesMs);
  if (all.length === 0) return undefined;
  return {
    ...percentiles(all),
    rounds: runs.filter((r) => r.samplesMs.length > 0).map((r) => percentiles(r.samplesMs)),
    samplesMs: all.map((v) => Math.round(v * 100) / 100),
    coalesced: runs.reduce((n, r) => n + r.coalesced, 0),
    lost: runs.reduce((n, r) => n + r.lost, 0),
    over100Ms: all.filter((v) => v > 100).length,
  };
}

/** A contender as the tables name it, and how it was set. */
export interface ContenderInfo {
  label: string;
  apiRateLimit?: { qps: number; burst: number };
}

/** Labels and settings of every contender, for a run whose raised limit is `raised`. */
export function contenderInfo(raised: { qps: number; burst: number }): Record<ContenderId, ContenderInfo> {
  return {
    'mcs-bridge': { label: 'mcs-bridge' },
    'karmada-default': { label: 'Karmada, default QPS (40/60)', apiRateLimit: { qps: 40, burst: 60 } },
    'karmada-raised': { label: `Karmada, QPS ${raised.qps}/${raised.burst}`, apiRateLimit: raised },
  };
}

/** One target of the issue, judged on this run's figures. */
export interface TargetResult {
  id: string;
  /** The target as a sentence. */
  text: string;
  /** What was measured, as a phrase with the figures (e.g. "1/9.8 (4.3 vs 42.0 ms)"). */
  measured: string;
  /** Undefined when the figures needed were not measured in this run. */
  met: boolean | undefined;
}

/** Everything the side-by-side benchmark keeps. */
export interface KarmadaResults extends MachineInfo, Provenance {
  loadAverage: number[];
  durationSeconds: number;
  options: BenchOptions;
  contenders: Record<ContenderId, ContenderInfo>;
  sequential?: Partial<Record<ContenderId, LatencySummary>>;
  churn?: Partial<Record<ContenderId, LatencySummary>>;
  cost?: {
    sequential: Partial<Record<ContenderId, Cost>>;
    churn: Partial<Record<ContenderId, Cost>>;
  };
  throughput?: Partial<Record<ContenderId, { steps: RampStep[]; sustained: Sustained }>>;
  scale?: { runs: ScaleRun[]; floor?: { seconds: number; writes: number } };
  webhook?: WebhookSideBySide;
  targets: TargetResult[];
}
