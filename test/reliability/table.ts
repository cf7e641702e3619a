/**
 * docs/reliability.md's table, rendered from the rows of reliability-results.json and put
 * between its two markers. Pure.
 */
import type { CaseResult } from './results.ts';

/** The marker in the page after which the table is rendered; everything up to {@link TABLE_END} is replaced. */
export const TABLE_START = '<!-- reliability:start -->';
/** The marker in the page that ends the rendered table. */
export const TABLE_END = '<!-- reliability:end -->';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replace(/\s*\n\s*/g, ' ');
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function outcome(c: CaseResult): string {
  const day = c.at.slice(0, 10);
  const head = c.result === 'pass' ? 'pass' : `**${c.result}**`;
  const detail = [seconds(c.durationMs), c.figures, c.error].filter(Boolean).join('; ');
  return `${head} (${day}${detail ? `, ${detail}` : ''})`;
}

/**
 * The table in Markdown, with a line saying where it comes from and how the last runs went.
 * `toRoot` is the path from the page's folder to the repository root (`../` for docs/), which
 * each test file's link starts with.
 */
export function renderTable(cases: readonly CaseResult[], toRoot = ''): string {
  const passed = cases.filter((c) => c.result === 'pass').length;
  const lines = [
    `Rendered by \`make reliability-report\` from [reliability-results.json](${toRoot}docs/results/reliability-results.json), which takes in the results \`make test\` leaves in \`.results/\`; ${passed} of ${cases.length} cases passed in their last run.`,
    '',
    '| Area | Case | What was checked | Last run |',
    '| --- | --- | --- | --- |',
    ...cases.map(
      (c) =>
        `| ${cell(c.area)} | ${cell(c.case)} | ${cell(c.checked ?? c.test)} ([${c.file.split('/').pop()}](${toRoot}${c.file})) | ${cell(outcome(c))} |`,
    ),
  ];
  return lines.join('\n');
}

/** The page with the text between the markers replaced by `table`; throws if the markers are missing. */
export function withTable(readme: string, table: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start < 0 || end < start) {
    throw new Error(`the page has no ${TABLE_START} … ${TABLE_END} section to render the table into`);
  }
  return `${readme.slice(0, start + TABLE_START.length)}\n${table}\n${readme.slice(end)}`;
}
