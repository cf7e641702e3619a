/**
 * The latency CDF plot of docs/performance.md: a Vega-Lite specification built from the samples in
 * bench-results.json (pure), rendered to SVG by Vega in Node (no browser, no canvas: Vega's SVG
 * renderer estimates text widths without one).
 */
import type { TopLevelSpec } from 'vega-lite';
import { cdfRows } from './cdf.ts';
import { CONTENDER_IDS } from './contenders.ts';
import type { KarmadaResults } from './figures.ts';

/** The two panels: one change at a time, and under churn. */
const PANELS = { sequential: 'one change at a time', churn: 'under churn' } as const;

/** The CDF rows of every contender in both panels of a run. */
export function cdfData(r: Pick<KarmadaResults, 'sequential' | 'churn' | 'contenders'>, maxPoints = 300) {
  return (Object.keys(PANELS) as Array<keyof typeof PANELS>).flatMap((panel) => {
    const series: Record<string, number[]> = {};
    for (const id of CONTENDER_IDS) {
      const s = r[panel]?.[id];
      if (s) series[r.contenders[id].label] = s.samplesMs;
    }
    return cdfRows(series, maxPoints).map((row) => ({ ...row, panel: PANELS[panel] }));
  });
}

/** A Vega-Lite specification of the CDFs: latency (log scale) against the share of changes, a panel per phase. */
export function cdfSpec(rows: ReturnType<typeof cdfData>, subtitle: string): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: 'Propagation latency, member1 write → copy seen in member2', subtitle },
    data: { values: rows },
    facet: { column: { field: 'panel', type: 'nominal', title: null, sort: Object.values(PANELS) } },
    spec: {
      width: 340,
      height: 240,
      mark: { type: 'line', interpolate: 'step-after', strokeWidth: 1.8 },
      encoding: {
        x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'latency (ms, log scale)' },
        y: { field: 'fraction', type: 'quantitative', title: 'share of changes', axis: { format: '%' } },
        color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } },
      },
    },
    config: { font: 'sans-serif', background: 'white' },
  };
}

/** Renders a Vega-Lite specification to an SVG document. */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [{ compile }, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
