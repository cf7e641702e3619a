/**
 * The figures of `make bench-karmada-pull` as bench-results.json keeps them (under "karmadaPull"),
 * the summaries made from its turns, and the section of docs/performance.md rendered from them.
 * Pure.
 */
import type { MachineInfo, Provenance } from '../results.ts';
import { type Percentiles, percentiles } from '../syncer/stats.ts';
import type { RampStep, Sustained } from './ramp.ts';

/** Who takes a turn: mcs-bridge and Karmada into the Pull consumer, mcs-bridge and the bare copier into a Push one. */
export type PullContenderId = 'mcs-bridge-pull' | 'karmada-pull' | 'mcs-bridge-push' | 'bare-copier';

/** Every contender, in the order tables list them. */
export const PULL_CONTENDER_IDS: readonly PullContenderId[] = [
  'mcs-bridge-pull',
  'karmada-pull',
  'mcs-bridge-push',
  'bare-copier',
];

/** What each contender is, for the tables. */
export const PULL_CONTENDER_LABELS: Record<PullContenderId, string> = {
  'mcs-bridge-pull': 'mcs-bridge → member2 (Pull)',
  'karmada-pull': "Karmada's MCS path → member2 (Pull), gate on",
  'mcs-bridge-push': 'mcs-bridge → member3 (Push)',
  'bare-copier': 'bare copier → member3 (Push)',
};

/** One change, one at a time: acknowledged in member1, its Work written on the hub (Pull only), its copy seen in the consumer. */
export interface PullSample {
  totalMs: number;
  /** Source acknowledged → the consumer's Work on the hub holds the change (Pull consumers only). */
  toWorkMs?: number;
}

/** One contender's one-at-a-time latency over every round, with the split where there is one. */
export interface PullLatency extends Percentiles {
  rounds: Percentiles[];
  lost: number;
  coalesced: number;
  /** Source → Work on the hub: the controllers on the hub (ours, or Karmada's collect and dispatch). */
  toWork?: Percentiles;
  /** Work on the hub → copy in the member: karmada-agent's apply. */
  apply?: Percentiles;
}

/** Summarizes the samples of each round of one contender; undefined when none arrived. */
export function summarizePull(
  rounds: readonly { samples: PullSample[]; lost: number; coalesced: number }[],
): PullLatency | undefined {
  const all = rounds.flatMap((r) => r.samples);
  if (all.length === 0) return undefined;
  const split = all.filter((s) => s.toWorkMs !== undefined);
  const round2 = (v: number) => Math.round(v * 100) / 100;
  return {
    ...percentiles(all.map((s) => round2(s.totalMs))),
    rounds: rounds
      .filter((r) => r.samples.length > 0)
      .map((r) => percentiles(r.samples.map((s) => s.totalMs))),
    lost: rounds.reduce((n, r) => n + r.lost, 0),
    coalesced: rounds.reduce((n, r) => n + r.coalesced, 0),
    ...(split.length > 0
      ? {
          toWork: percentiles(split.map((s) => s.toWorkMs ?? 0)),
          apply: percentiles(split.map((s) => s.totalMs - (s.toWorkMs ?? 0))),
        }
      : {}),
  };
}

/** Everything the Pull side-by-side keeps. */
export interface PullResults extends MachineInfo, Provenance {
  /** The load average (1, 5, 15 min) at the start and at the end: the machine is shared. */
  loadAverage: number[];
  loadAverageAtEnd?: number[];
  durationSeconds: number;
  options: {
    rounds: number;
    samples: number;
    warmup: number;
    rampStart: number;
    rampFactor: number;
    rampMax: number;
    rampStepSeconds: number;
  };
  sequential: Partial<Record<PullContenderId, PullLatency>>;
  throughput: Partial<Record<PullContenderId, { steps: RampStep[]; sustained: Sustained }>>;
  /** mcs-bridge's reconciles by result over all its turns (a conflict: a guarded write met a newer version, retried with backoff). */
  syncerReconciles?: Partial<Record<PullContenderId, Record<string, number>>>;
}

const f1 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(1));
const pct = (p: Percentiles | undefined) => (p ? `${f1(p.p50)} / ${f1(p.p90)} / ${f1(p.p99)}` : '–');
const ratio = (a: number | undefined, b: number | undefined) =>
  a === undefined || b === undefined || a === 0 ? '–' : `1/${(b / a).toFixed(1)}`;

/** The section of docs/performance.md for the Pull run. */
export function renderPullSection(k: PullResults): string {
  const ids = PULL_CONTENDER_IDS.filter((id) => k.sequential[id] || k.throughput[id]);
  const head = `| | ${ids.map((id) => PULL_CONTENDER_LABELS[id]).join(' | ')} |`;
  const rule = `| --- | ${ids.map(() => '---').join(' | ')} |`;
  const row = (name: string, cell: (id: PullContenderId) => string) =>
    `| ${name} | ${ids.map(cell).join(' | ')} |`;
  const seq = (id: PullContenderId) => k.sequential[id];
  const load = (l: number[] | undefined) => (l ? l.map((v) => v.toFixed(1)).join(' / ') : '–');
  const ours = seq('mcs-bridge-pull');
  const theirs = seq('karmada-pull');
  const push = seq('mcs-bridge-push');
  const floor = seq('bare-copier');
  const sustainedOf = (id: PullContenderId) => k.throughput[id]?.sustained.changesPerSecond;
  const o = k.options;
  return [
    '## Side by side with Karmada, Pull mode',
    '',
    `\`make bench-karmada-pull\` on ${k.date.slice(0, 10)}: ${k.cores} cores (${k.cpu}), load average (1 / 5 / 15 min) ${load(k.loadAverage)} at the start and ${load(k.loadAverageAtEnd)} at the end, ${(k.durationSeconds / 60).toFixed(1)} min; ` +
      `mcs-bridge at ${k.commit}, Karmada ${k.versions.karmada}. One Karmada sandbox: member1 (Push) provides, member2 joined in Pull mode (karmada-agent) and member3 (Push) consume. ` +
      `${o.rounds} interleaved rounds of ${o.samples} one-at-a-time changes per contender; ramp from ${o.rampStart}/s ×${o.rampFactor} to ${o.rampMax}/s, ${o.rampStepSeconds} s a step. ` +
      "Karmada's turns run with its MultiClusterService gate on in the controller manager and in member2's agent, at default QPS; the others with it off.",
    '',
    head,
    rule,
    row(
      'one at a time, ms: p50 / p90 / p99',
      (id) => `${pct(seq(id))} (max ${f1(seq(id)?.max)}; n ${seq(id)?.count ?? 0})`,
    ),
    row('… source → Work on the hub (hub controllers)', (id) => pct(seq(id)?.toWork)),
    row('… Work → copy in member2 (karmada-agent apply)', (id) => pct(seq(id)?.apply)),
    row('sustained changes/s (p99 ≤ 1 s)', (id) => {
      const t = k.throughput[id];
      return t ? `${t.sustained.changesPerSecond.toFixed(0)} (${t.sustained.limitedBy})` : 'not run';
    }),
    '',
    `- Pull: mcs-bridge's p50 is ${ratio(ours?.p50, theirs?.p50)} of Karmada's (goal ≤ 1/2); sustained ${f1(sustainedOf('mcs-bridge-pull'))} vs ${f1(sustainedOf('karmada-pull'))} changes/s (goal ≥ 2×).`,
    `- The floor in the same place: mcs-bridge into a Push member p50 / p99 ${f1(push?.p50)} / ${f1(push?.p99)} ms, the bare copier ${f1(floor?.p50)} / ${f1(floor?.p99)} ms, in the same rounds.`,
    ...Object.entries(k.syncerReconciles ?? {}).map(
      ([id, byResult]) =>
        `- ${PULL_CONTENDER_LABELS[id as PullContenderId]}: the syncer's reconciles over its turns, by result: ${Object.entries(
          byResult ?? {},
        )
          .map(([r, n]) => `${r} ${n}`)
          .join(', ')}.`,
    ),
  ].join('\n');
}
