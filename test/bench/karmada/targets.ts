/**
 * The issue's targets for mcs-bridge next to Karmada, judged on the figures of one run (ratios
 * from the same run, every round where rounds exist). Pure.
 */
import type { LoadFigures } from '../load.ts';
import type { Percentiles } from '../syncer/stats.ts';
import type { ContenderId } from './contenders.ts';
import type { KarmadaResults, LatencySummary, TargetResult } from './figures.ts';
import type { ScaleRun } from './scale.ts';
import type { WebhookRouteId } from './webhook.ts';

type Figures = Omit<KarmadaResults, 'targets'>;
type Karmada = Exclude<ContenderId, 'mcs-bridge'>;
const KARMADA: readonly Karmada[] = ['karmada-default', 'karmada-raised'];
const short = (k: Karmada) => (k === 'karmada-default' ? 'default QPS' : 'raised QPS');

/** "1/8.3" for a ratio below one, "2.40×" above. */
export function ratioText(r: number): string {
  if (r === Number.POSITIVE_INFINITY) return '∞';
  if (!Number.isFinite(r)) return String(r);
  return r < 1 && r > 0 ? `1/${(1 / r).toFixed(1)}` : `${r.toFixed(2)}×`;
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const unmeasured = (id: string, text: string, why = 'not measured in this run'): TargetResult => ({
  id,
  text,
  measured: why,
  met: undefined,
});

/** Ours ≤ `fraction` × theirs for a percentile, overall and in every round. */
function latencyTarget(
  id: string,
  text: string,
  ours: LatencySummary | undefined,
  theirs: LatencySummary | undefined,
  pick: (p: Percentiles) => number,
  fraction: number,
): TargetResult {
  if (!ours || !theirs) return unmeasured(id, text);
  const overall = pick(ours) / pick(theirs);
  const rounds = ours.rounds.map((r, i) => {
    const t = theirs.rounds[i];
    return t ? pick(r) / pick(t) : Number.NaN;
  });
  const everyRound = rounds.length > 0 && rounds.every((r) => r <= fraction);
  const roundText = rounds.length > 1 ? `; rounds ${rounds.map(ratioText).join(', ')}` : '';
  return {
    id,
    text,
    measured: `${ratioText(overall)} (${ms(pick(ours))} vs ${ms(pick(theirs))}${roundText})`,
    met: overall <= fraction && everyRound,
  };
}

/** At least `times` × theirs, where ours may be a lower bound (the ramp ended before ours saturated). */
function throughputTarget(f: Figures, k: Karmada, times: number): TargetResult {
  const id = `throughput-${k}`;
  const text = `sustained changes/s ≥ ${times}× Karmada's at ${short(k)}`;
  const ours = f.throughput?.['mcs-bridge']?.sustained;
  const theirs = f.throughput?.[k]?.sustained;
  if (!ours || !theirs) return unmeasured(id, text);
  const ratio = ours.changesPerSecond / theirs.changesPerSecond;
  const bound = ours.limitedBy !== 'saturated';
  const measured = `${bound ? '≥ ' : ''}${ratioText(ratio)} (${bound ? '≥ ' : ''}${ours.changesPerSecond.toFixed(0)} vs ${theirs.changesPerSecond.toFixed(0)}/s${bound ? `; ours not saturated: ${ours.limitedBy === 'generator' ? 'the load generator' : 'the end of the ramp'} was the limit` : ''})`;
  return { id, text, measured, met: ratio >= times ? true : bound ? undefined : false };
}

/** Ours ≤ fraction × theirs for a cost figure. */
function costTarget(
  id: string,
  text: string,
  ours: number | undefined,
  theirs: number | undefined,
  fraction: number,
  unit: string,
): TargetResult {
  if (ours === undefined || theirs === undefined) return unmeasured(id, text);
  const r = ours / theirs;
  return {
    id,
    text,
    measured: `${ratioText(r)} (${ours.toFixed(2)} vs ${theirs.toFixed(2)} ${unit})`,
    met: r <= fraction,
  };
}

/**
 * Ours ≤ fraction × theirs at scale. A Karmada run stopped at the cap makes its figure a lower
 * bound of what converging would have taken: ours meeting the bound meets the target, ours
 * missing it cannot be judged.
 */
function scaleTarget(
  id: string,
  text: string,
  ours: ScaleRun | undefined,
  theirs: ScaleRun | undefined,
  pick: (r: ScaleRun) => number,
  fraction: number,
  unit: string,
): TargetResult {
  if (!ours || !theirs) return unmeasured(id, text);
  if (!ours.converged)
    return { id, text, measured: `mcs-bridge did not converge within ${ours.capSeconds} s`, met: false };
  const r = pick(ours) / pick(theirs);
  const capped = !theirs.converged;
  const share = ((theirs.copiesAtEnd / theirs.copiesExpected) * 100).toFixed(0);
  const measured = `${capped ? '≤ ' : ''}${ratioText(r)} (${pick(ours).toFixed(1)} vs ${capped ? '≥ ' : ''}${pick(theirs).toFixed(1)} ${unit}${capped ? `; Karmada had ${share}% of the copies at the ${theirs.capSeconds} s cap` : ''})`;
  return { id, text, measured, met: r <= fraction ? true : capped ? undefined : false };
}

const cpuPerRequest = (f: LoadFigures | undefined) =>
  f?.serverCpu === undefined ? undefined : (f.serverCpu / f.requestsPerSecond) * 1e6;

function webhookTargets(f: Figures): TargetResult[] {
  const w = f.webhook;
  const out: TargetResult[] = [];
  for (const op of ['validate', 'mutate'] as const) {
    const oursId = `mcs-bridge-${op}` as WebhookRouteId;
    const theirsId = `karmada-${op}` as WebhookRouteId;
    for (const conns of ['many', 'one'] as const) {
      const n = conns === 'many' ? (w?.sizes.connections ?? 50) : 1;
      const id = `webhook-${op}-${n}`;
      const text = `webhook ${op} at ${n} connection${n > 1 ? 's' : ''}: req/s ≥, p99 ≤ and CPU per request ≤ Karmada's`;
      if (!w) {
        out.push(unmeasured(id, text));
        continue;
      }
      const o = conns === 'many' ? w.routes[oursId] : w.alone[oursId];
      const t = conns === 'many' ? w.routes[theirsId] : w.alone[theirsId];
      const rps = [o.requestsPerSecond, t.requestsPerSecond];
      const p99 = [o.latencyMs.p99, t.latencyMs.p99];
      const cpu =
        conns === 'many'
          ? [w.routes[oursId].serverCpuMicrosPerRequest, w.routes[theirsId].serverCpuMicrosPerRequest]
          : [cpuPerRequest(w.alone[oursId]), cpuPerRequest(w.alone[theirsId])];
      const [rO = 0, rT = 0] = rps;
      const [pO = 0, pT = 0] = p99;
      const [cO, cT] = cpu;
      const cpuMet = cO !== undefined && cT !== undefined ? cO <= cT : undefined;
      out.push({
        id,
        text,
        measured: `${rO.toFixed(0)} vs ${rT.toFixed(0)} req/s, p99 ${pO.toFixed(2)} vs ${pT.toFixed(2)} ms, ${cO?.toFixed(0) ?? '-'} vs ${cT?.toFixed(0) ?? '-'} µs CPU/req`,
        met: cpuMet === undefined ? undefined : rO >= rT && pO <= pT && cpuMet,
      });
    }
  }
  return out;
}

/** Every target of the issue that this benchmark measures, judged. */
export function judgeTargets(f: Figures): TargetResult[] {
  const seq = f.sequential ?? {};
  const churn = f.churn ?? {};
  const out: TargetResult[] = [];
  const ours = seq['mcs-bridge'];
  out.push(
    latencyTarget(
      'p50-default',
      "propagation p50 ≤ ⅛ of Karmada's at default QPS, every round",
      ours,
      seq['karmada-default'],
      (p) => p.p50,
      1 / 8,
    ),
  );
  out.push(
    latencyTarget(
      'p50-raised',
      "propagation p50 ≤ ⅕ of Karmada's at raised QPS, every round",
      ours,
      seq['karmada-raised'],
      (p) => p.p50,
      1 / 5,
    ),
  );
  for (const k of KARMADA)
    out.push(
      latencyTarget(
        `p99-${k}`,
        `propagation p99 ≤ ¼ of Karmada's at ${short(k)}, every round`,
        ours,
        seq[k],
        (p) => p.p99,
        1 / 4,
      ),
    );
  for (const k of KARMADA)
    out.push(
      latencyTarget(
        `churn-p99-${k}`,
        `p99 under churn ≤ ⅓ of Karmada's at ${short(k)}, every round`,
        churn['mcs-bridge'],
        churn[k],
        (p) => p.p99,
        1 / 3,
      ),
    );
  const tailText = 'no one-at-a-time sample above 100 ms in ≥ 1,000 changes';
  if (!ours) out.push(unmeasured('tail', tailText));
  else
    out.push({
      id: 'tail',
      text: tailText,
      measured: `${ours.over100Ms} of ${ours.count} above 100 ms (max ${ms(ours.max)})`,
      met: ours.count >= 1000 ? ours.over100Ms === 0 : ours.over100Ms === 0 ? undefined : false,
    });
  out.push(throughputTarget(f, 'karmada-default', 5));
  out.push(throughputTarget(f, 'karmada-raised', 3));
  const cost = f.cost?.sequential ?? {};
  for (const k of KARMADA) {
    out.push(
      costTarget(
        `cpu-${k}`,
        `CPU per change ≤ ¼ of Karmada's processes' at ${short(k)}`,
        cost['mcs-bridge']?.cpuSecondsPer1000,
        cost[k]?.cpuSecondsPer1000,
        1 / 4,
        's per 1,000 changes',
      ),
    );
    out.push(
      costTarget(
        `hub-cpu-${k}`,
        `hub API server CPU per change ≤ 1/20 of Karmada's at ${short(k)}`,
        cost['mcs-bridge']?.hubApiserverCpuMsPerChange,
        cost[k]?.hubApiserverCpuMsPerChange,
        1 / 20,
        'ms',
      ),
    );
  }
  const w = cost['mcs-bridge']?.writesPerChange;
  out.push(
    w
      ? {
          id: 'writes',
          text: 'API writes per change: 1 per consumer, none on the hub',
          measured: `${w.members.toFixed(2)} member, ${w.hub.toFixed(2)} hub writes per change (1 consumer)`,
          met: Math.abs(w.members - 1) < 0.05 && w.hub < 0.05,
        }
      : unmeasured('writes', 'API writes per change: 1 per consumer, none on the hub'),
  );
  const runs = f.scale?.runs ?? [];
  const run = (c: ContenderId) => runs.find((r) => r.contender === c);
  const oursScale = run('mcs-bridge');
  const n = oursScale?.mcs ?? f.options.scale;
  for (const k of KARMADA) {
    out.push(
      scaleTarget(
        `scale-time-${k}`,
        `${n} MCS converged in ≤ 1/20 of Karmada's time at ${short(k)}`,
        oursScale,
        run(k),
        (r) => r.seconds,
        1 / 20,
        's',
      ),
    );
    out.push(
      scaleTarget(
        `scale-hub-writes-${k}`,
        `${n} MCS: hub writes ≤ 1/10 of Karmada's at ${short(k)}`,
        oursScale,
        run(k),
        (r) => r.writes.hub,
        1 / 10,
        'writes',
      ),
    );
    out.push(
      scaleTarget(
        `scale-rss-${k}`,
        `${n} MCS: peak RSS ≤ ⅓ of Karmada's processes' at ${short(k)}`,
        oursScale,
        run(k),
        (r) => r.peakRssMb,
        1 / 3,
        'MB',
      ),
    );
  }
  const floor = f.scale?.floor;
  const floorText = `${n} MCS converged in ≤ 1.2× the bulk writer's time`;
  out.push(
    oursScale && floor
      ? {
          id: 'scale-floor',
          text: floorText,
          measured: `${ratioText(oursScale.seconds / floor.seconds)} (${oursScale.seconds.toFixed(1)} vs ${floor.seconds.toFixed(1)} s)`,
          met: oursScale.converged && oursScale.seconds <= 1.2 * floor.seconds,
        }
      : unmeasured('scale-floor', floorText),
  );
  out.push(...webhookTargets(f));
  return out;
}
