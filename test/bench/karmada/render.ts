/**
 * The side-by-side figures as Markdown tables (what `make bench-karmada` prints and what the
 * docs/performance.md shows). Pure.
 */
import type { LoadFigures } from '../load.ts';
import type { RouteSummary } from '../report.ts';
import { CONTENDER_IDS, type ContenderId } from './contenders.ts';
import type { Cost } from './cost.ts';
import type { KarmadaResults, LatencySummary, TargetResult } from './figures.ts';
import type { ScaleRun } from './scale.ts';
import type { WebhookRouteId } from './webhook.ts';

const f1 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(1));
const f2 = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(2));
const f0 = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '–' : Math.round(v).toLocaleString('en-US');

function table(header: string[], rows: string[][]): string {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

const present = <T>(record: Partial<Record<ContenderId, T>> | undefined) =>
  CONTENDER_IDS.filter((id) => record?.[id] !== undefined);

function latencyCell(s: LatencySummary | undefined): string {
  if (!s) return '–';
  const extra = [s.coalesced ? `${s.coalesced} coalesced` : '', s.lost ? `**${s.lost} lost**` : ''].filter(
    Boolean,
  );
  return `${f1(s.p50)} / ${f1(s.p90)} / ${f1(s.p99)} (max ${f1(s.max)}; n ${s.count}${extra.length ? `; ${extra.join(', ')}` : ''})`;
}

function latencyTable(r: KarmadaResults): string | undefined {
  const ids = present(r.sequential);
  if (ids.length === 0) return undefined;
  const o = r.options;
  return table(
    ['latency, ms: p50 / p90 / p99', ...ids.map((id) => r.contenders[id].label)],
    [
      [`one change at a time (${o.rounds} rounds)`, ...ids.map((id) => latencyCell(r.sequential?.[id]))],
      [
        `under churn: ${o.churnRate}/s over ${o.churnServices} Services, ${o.churnSeconds} s`,
        ...ids.map((id) => latencyCell(r.churn?.[id])),
      ],
    ],
  );
}

function throughputTable(r: KarmadaResults): string | undefined {
  const ids = present(r.throughput);
  if (ids.length === 0) return undefined;
  const why = {
    saturated: 'the next step passed p99 1 s',
    generator: 'the load generator’s limit',
    'ramp-end': 'the ramp’s last step',
  };
  return table(
    ['throughput', ...ids.map((id) => r.contenders[id].label)],
    [
      [
        'sustained changes/s (p99 ≤ 1 s)',
        ...ids.map((id) => {
          const t = r.throughput?.[id];
          return t ? `${f0(t.sustained.changesPerSecond)} (${why[t.sustained.limitedBy]})` : '–';
        }),
      ],
      [
        'steps: offered → taken/s, p99 ms',
        ...ids.map(
          (id) =>
            r.throughput?.[id]?.steps
              .map((s) => `${f0(s.offeredPerSecond)} → ${f0(s.achievedPerSecond)}, ${f0(s.p99Ms)}`)
              .join('; ') ?? '–',
        ),
      ],
    ],
  );
}

function costRows(
  label: string,
  costs: Partial<Record<ContenderId, Cost>> | undefined,
  ids: ContenderId[],
): string[][] {
  const c = (id: ContenderId) => costs?.[id];
  return [
    [
      `${label}: API writes per change, hub + members`,
      ...ids.map((id) =>
        c(id) ? `${f2(c(id)?.writesPerChange.hub)} + ${f2(c(id)?.writesPerChange.members)}` : '–',
      ),
    ],
    [`${label}: CPU s per 1,000 changes (its processes)`, ...ids.map((id) => f2(c(id)?.cpuSecondsPer1000))],
    [`${label}: hub API server CPU ms per change`, ...ids.map((id) => f2(c(id)?.hubApiserverCpuMsPerChange))],
  ];
}

function costTable(r: KarmadaResults): string | undefined {
  const ids = present(r.cost?.sequential);
  if (ids.length === 0) return undefined;
  return table(
    ['cost per source slice change (1 consumer)', ...ids.map((id) => r.contenders[id].label)],
    [...costRows('one at a time', r.cost?.sequential, ids), ...costRows('under churn', r.cost?.churn, ids)],
  );
}

function scaleCell(s: ScaleRun): string {
  const time = s.converged
    ? `**${f1(s.seconds)} s**`
    : `not converged: ${((s.copiesAtEnd / s.copiesExpected) * 100).toFixed(0)}% of the copies at the ${s.capSeconds} s cap`;
  return [
    time,
    `${f0(s.writes.hub)} hub + ${f0(s.writes.members)} member writes`,
    `peak RSS ${f0(s.peakRssMb)} MB`,
    `CPU ${f1(s.cpuSeconds)} s, hub API server ${f1(s.hubApiserverCpuSeconds)} s`,
  ].join('; ');
}

function scaleTable(r: KarmadaResults): string | undefined {
  const runs = r.scale?.runs ?? [];
  if (runs.length === 0) return undefined;
  const first = runs[0] as ScaleRun;
  const rows = runs.map((s) => [r.contenders[s.contender].label, scaleCell(s)]);
  if (r.scale?.floor)
    rows.push([
      'bare bulk writer (floor)',
      `**${f1(r.scale.floor.seconds)} s**; ${f0(r.scale.floor.writes)} member writes`,
    ]);
  return table(
    [
      `${f0(first.mcs)} MCS (${f0(first.sourceSlices)} slices, ${f0(first.copiesExpected)} copies in 2 consumers) from cold`,
      'to converged',
    ],
    rows,
  );
}

const cpuPerRequest = (f: LoadFigures) =>
  f.serverCpu === undefined ? undefined : (f.serverCpu / f.requestsPerSecond) * 1e6;

function webhookTable(r: KarmadaResults): string | undefined {
  const w = r.webhook;
  if (!w) return undefined;
  const ids: WebhookRouteId[] = [
    'mcs-bridge-validate',
    'karmada-validate',
    'mcs-bridge-mutate',
    'karmada-mutate',
  ];
  const row = (id: WebhookRouteId) => {
    const s: RouteSummary = w.routes[id];
    const a = w.alone[id];
    return [
      id,
      f0(s.requestsPerSecond),
      f2(s.latencyMs.p50),
      f2(s.latencyMs.p99),
      f0(s.serverCpuMicrosPerRequest),
      f0(a.requestsPerSecond),
      f2(a.latencyMs.p50),
      f2(a.latencyMs.p99),
      f0(cpuPerRequest(a)),
    ];
  };
  const n = w.sizes.connections;
  return table(
    [
      'route',
      `req/s (${n} conn.)`,
      'p50 ms',
      'p99 ms',
      'µs CPU/req',
      'req/s (1 conn.)',
      'p50 ms',
      'p99 ms',
      'µs CPU/req',
    ],
    ids.map(row),
  );
}

/** The targets as a list: met, MISSED, or not measured, each with its figures. */
export function targetList(targets: readonly TargetResult[]): string {
  const mark = (t: TargetResult) => (t.met === undefined ? 'not judged' : t.met ? 'met' : '**missed**');
  return targets.map((t) => `- ${mark(t)}: ${t.text} — ${t.measured}`).join('\n');
}

/**
 * The scale table and the scale targets alone: what `make bench-karmada-converge` (the scale
 * phase run until Karmada converges) adds to docs/performance.md.
 */
export function renderScaleTables(r: KarmadaResults): string {
  const scale = scaleTable(r) ?? '_No scale figures in this run._';
  return [scale, targetList(r.targets.filter((t) => t.id.startsWith('scale-')))].join('\n\n');
}

/** Every table of the side-by-side run that has figures, then the targets. */
export function renderKarmadaTables(r: KarmadaResults): string {
  const parts = [latencyTable(r), throughputTable(r), costTable(r), scaleTable(r), webhookTable(r)].filter(
    (t): t is string => t !== undefined,
  );
  return [...parts, targetList(r.targets)].join('\n\n');
}
