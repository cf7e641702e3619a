/**
 * docs/performance.md's figures, rendered from bench-results.json: the side-by-side with Karmada, the
 * syncer against its floors, and the webhook under load, each from the figures its benchmark
 * wrote, between two markers. Pure.
 */

import type { KarmadaResults } from './karmada/figures.ts';
import { type PullResults, renderPullSection } from './karmada/pull-figures.ts';
import { renderKarmadaTables, renderScaleTables } from './karmada/render.ts';
import type { RouteSummary } from './report.ts';
import type { Percentiles } from './syncer/stats.ts';

/** The marker after which the rendered figures start. */
export const BENCH_START = '<!-- bench:start -->';
/** The marker that ends them. */
export const BENCH_END = '<!-- bench:end -->';

/** Where the CDF plot goes, relative to the repository root. */
export const CDF_SVG = 'docs/bench-latency-cdf.svg';
/** The page the figures are rendered into, relative to the repository root. */
export const PERFORMANCE_DOC = 'docs/performance.md';
/** The plot as the page links it (the page and the plot share a folder). */
const CDF_LINK = 'bench-latency-cdf.svg';

type Summary = Percentiles & { coalesced: number; lost: number };

/** What `make bench-syncer` writes under "syncer" (the parts rendered here). */
export interface SyncerFigures {
  date: string;
  cores: number;
  durationSeconds: number;
  propagation: {
    syncer: { sequential: Summary; churn: Summary };
    floor: { sequential: Summary; churn: Summary };
    writesPerChange?: number;
  };
  scale: Array<{
    mcs: number;
    sourceSlices: number;
    copiesExpected: number;
    convergeSeconds: number;
    peakRssMb: number;
    heapUsedMb: number;
    writesToConverge: number;
    restSeconds: number;
    writesAtRest: number;
    floor?: { seconds: number; writes: number };
  }>;
  targets: Record<string, boolean>;
}

/** What `make bench-webhook` writes under "webhook" (the parts rendered here). */
export interface WebhookFigures {
  date: string;
  cores: number;
  load: { connections: number; rounds: number; durationSeconds: number };
  routes: Record<'empty' | 'parse' | 'validate' | 'mutate', RouteSummary>;
}

/** The keys of bench-results.json this section reads; any may be missing. */
export interface BenchFile {
  karmada?: KarmadaResults;
  /** `make bench-karmada-converge`: the scale phase alone, with a cap Karmada converges within. */
  karmadaConverge?: KarmadaResults;
  /** `make bench-karmada-pull`: mcs-bridge and Karmada's own path into a Pull-mode member, and the floor in the same sandbox. */
  karmadaPull?: PullResults;
  syncer?: SyncerFigures;
  webhook?: WebhookFigures;
}

const f1 = (v: number) => v.toFixed(1);
const f2 = (v: number | undefined) => (v === undefined ? '–' : v.toFixed(2));
const day = (iso: string) => iso.slice(0, 10);
const pct = (s: Summary) => `${f1(s.p50)} / ${f1(s.p90)} / ${f1(s.p99)} ms`;

function karmadaSection(k: KarmadaResults): string {
  const o = k.options;
  const met = k.targets.filter((t) => t.met === true).length;
  const missed = k.targets.filter((t) => t.met === false).length;
  return [
    '## Side by side with Karmada',
    '',
    `\`make bench-karmada\` on ${day(k.date)}: ${k.cores} cores (${k.cpu}), load average ${k.loadAverage[0]?.toFixed(1)} at the start, ${(k.durationSeconds / 60).toFixed(1)} min; ` +
      `mcs-bridge ${k.versions.mcsBridge} at ${k.commit}, Karmada ${k.versions.karmada}, Kubernetes ${k.versions.kubernetes}. ` +
      `${o.rounds} interleaved rounds; ${o.oursSamples} one-at-a-time changes for mcs-bridge and ${o.samples} for each Karmada setting; ` +
      `churn ${o.churnRate}/s over ${o.churnServices} Services for ${o.churnSeconds} s each; ramp from ${o.rampStart}/s ×${o.rampFactor} to ${o.rampMax}/s, ${o.rampStepSeconds} s a step; ` +
      `${o.scale} MCS with a ${o.scaleCap} s cap; webhooks ${o.webhookRounds} rounds of ${o.webhookSeconds} s. Targets: ${met} met, ${missed} missed, ${k.targets.length - met - missed} not judged.`,
    '',
    `![Latency CDF of mcs-bridge and Karmada](${CDF_LINK})`,
    '',
    renderKarmadaTables(k),
  ].join('\n');
}

function convergeSection(k: KarmadaResults): string {
  const runs = k.scale?.runs ?? [];
  const karmada = runs.filter((r) => r.contender !== 'mcs-bridge');
  const all = karmada.length > 0 && karmada.every((r) => r.converged);
  return [
    '## Scale until Karmada converges',
    '',
    `\`make bench-karmada-converge\` on ${day(k.date)}: the scale phase alone with a ${k.options.scaleCap} s cap, ${(k.durationSeconds / 60).toFixed(1)} min, load average ${k.loadAverage[0]?.toFixed(1)} at the start; ` +
      `mcs-bridge at ${k.commit}, Karmada ${k.versions.karmada}. ` +
      (all
        ? 'Karmada converged in every setting, so these targets are judged on its full times.'
        : 'Where Karmada had not converged at the cap, its figures are lower bounds: a target ours meets against the bound is met, one it does not is not judged.') +
      ' It is apart from `make bench` because Karmada alone takes longer than the whole budget of `make bench` here.',
    '',
    renderScaleTables(k),
  ].join('\n');
}

function syncerSection(s: SyncerFigures): string {
  const p = s.propagation;
  const rows = [
    `| latency p50 / p90 / p99, one change at a time | ${pct(p.syncer.sequential)} | ${pct(p.floor.sequential)} |`,
    `| latency under churn | ${pct(p.syncer.churn)} | ${pct(p.floor.churn)} |`,
    `| API writes per source slice change (1 consumer) | ${f2(p.writesPerChange)} | 1 |`,
    ...s.scale.map(
      (r) =>
        `| ${r.mcs.toLocaleString('en-US')} MCS (${r.sourceSlices.toLocaleString('en-US')} slices, ${r.copiesExpected.toLocaleString('en-US')} copies) from cold | ${f1(r.convergeSeconds)} s, peak RSS ${r.peakRssMb.toFixed(0)} MB (JS heap in use at convergence, garbage included: ${r.heapUsedMb.toFixed(0)} MB), ${r.writesToConverge.toLocaleString('en-US')} writes${r.restSeconds ? `; ${r.writesAtRest} writes in ${r.restSeconds} s at rest` : ''} | ${r.floor ? `${f1(r.floor.seconds)} s, ${r.floor.writes.toLocaleString('en-US')} writes (${(r.convergeSeconds / r.floor.seconds).toFixed(2)}×)` : 'not run'} |`,
    ),
  ];
  const targets = Object.entries(s.targets).map(([name, ok]) => `${ok ? 'met' : '**missed**'}: \`${name}\``);
  return [
    '## The syncer against its floors',
    '',
    `\`make bench-syncer\` on ${day(s.date)}, ${s.cores} cores, ${(s.durationSeconds / 60).toFixed(1)} min. The floors: a bare copier (one watch, one write per change) and a bare bulk writer making the same Services and copies.`,
    '',
    '| measure | syncer | floor |',
    '| --- | --- | --- |',
    ...rows,
    '',
    `Targets: ${targets.join(', ')}.`,
  ].join('\n');
}

function webhookSection(w: WebhookFigures): string {
  const label = {
    empty: 'empty Fastify route',
    parse: 'empty route + JSON.parse',
    validate: 'POST /validate-multiclusterservice',
    mutate: 'POST /mutate-multiclusterservice',
  };
  const rows = (Object.keys(label) as Array<keyof typeof label>).map((k) => {
    const r = w.routes[k];
    return `| ${label[k]} | ${r.requestsPerSecond.toFixed(0)} | ${f2(r.latencyMs.p50)} | ${f2(r.latencyMs.p99)} | ${r.serverCpuMicrosPerRequest?.toFixed(0) ?? '–'} | ${f2(r.oneConnection?.p50)} / ${f2(r.oneConnection?.p99)} |`;
  });
  return [
    '## The webhook against an empty route',
    '',
    `\`make bench-webhook\` on ${day(w.date)}, ${w.cores} cores: ${w.load.connections} HTTPS connections with keep-alive on loopback, median of ${w.load.rounds} rounds of ${w.load.durationSeconds} s, next to an empty Fastify route with the same certificate.`,
    '',
    '| route | req/s | p50 ms | p99 ms | µs CPU/req | 1 connection p50 / p99 ms |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** The section's text from whatever the results file holds. */
export function renderPerformance(file: BenchFile): string {
  const parts = [
    'Rendered by `make bench-report` from [results/bench-results.json](results/bench-results.json), which takes in what `make bench` wrote to `.results/`.',
    file.karmada ? karmadaSection(file.karmada) : '_No side-by-side figures yet: run `make bench-karmada`._',
    ...(file.karmadaConverge ? [convergeSection(file.karmadaConverge)] : []),
    ...(file.karmadaPull ? [renderPullSection(file.karmadaPull)] : []),
    file.syncer ? syncerSection(file.syncer) : '_No syncer figures yet: run `make bench-syncer`._',
    file.webhook ? webhookSection(file.webhook) : '_No webhook figures yet: run `make bench-webhook`._',
  ];
  return parts.join('\n\n');
}

/** The page with the text between the markers replaced; throws if the markers are missing. */
export function withPerformance(readme: string, section: string): string {
  const start = readme.indexOf(BENCH_START);
  const end = readme.indexOf(BENCH_END);
  if (start < 0 || end < start)
    throw new Error(`${PERFORMANCE_DOC} has no ${BENCH_START} … ${BENCH_END} section to render into`);
  return `${readme.slice(0, start + BENCH_START.length)}\n${section}\n${readme.slice(end)}`;
}
