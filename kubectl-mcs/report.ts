/**
 * The diagnosis of one MultiClusterService from its facts — the syncer's planner run on them,
 * the rows, the problems — and its two renderings: the table a person reads, and JSON for
 * scripts. Pure.
 */

import { resolveClusterSets } from '../syncer/plan/clusters.ts';
import { planMcs } from '../syncer/plan/plan.ts';
import type { DiagnoseFacts, ProbeFacts } from './facts.ts';
import { snapshotOf } from './facts.ts';
import { formatAge, table } from './format.ts';
import { findProblems, type Problem } from './problems.ts';
import { type ClusterRow, clusterRows } from './rows.ts';

/** A diagnosis. */
export interface Report {
  readonly mcs: {
    readonly namespace: string;
    readonly name: string;
    readonly generation?: number;
    readonly types: readonly string[];
    readonly providers: readonly string[];
    readonly consumers: readonly string[];
    readonly conditions: readonly { type: string; status: string; reason: string; message: string }[];
  };
  readonly hub: string;
  readonly memberSource: string;
  /** One line on the syncer: its Lease and, when asked, its /readyz. */
  readonly syncer: string;
  readonly rows: readonly ClusterRow[];
  readonly probes?: ProbeFacts;
  readonly problems: readonly Problem[];
}

/** Diagnoses one MultiClusterService. */
export function diagnose(f: DiagnoseFacts): Report {
  const names = f.members.map((m) => m.name);
  const sets = resolveClusterSets(f.mcs.spec ?? { types: [] }, names);
  const plan = planMcs(snapshotOf(f));
  return {
    mcs: {
      namespace: f.mcs.metadata?.namespace ?? '',
      name: f.mcs.metadata?.name ?? '',
      generation: f.mcs.metadata?.generation,
      types: f.mcs.spec?.types ?? [],
      providers: names.filter((n) => sets.providers.has(n)),
      consumers: names.filter((n) => sets.consumers.has(n)),
      conditions: (f.mcs.status?.conditions ?? []).map(({ type, status, reason, message }) => ({
        type,
        status,
        reason,
        message,
      })),
    },
    hub: f.hubServer,
    memberSource: f.source,
    syncer: syncerLine(f),
    rows: clusterRows(f, sets, plan.actions),
    probes: f.probes,
    problems: findProblems(f, sets, plan),
  };
}

function syncerLine(f: DiagnoseFacts): string {
  const { lease, readyz } = f;
  let text: string;
  if (lease.state === 'absent') text = `no Lease ${lease.ref}`;
  else if (lease.state === 'unreadable') text = `cannot read Lease ${lease.ref}: ${lease.error}`;
  else {
    const renewed = lease.renewTime ? Date.parse(lease.renewTime) : Number.NaN;
    const ago = Number.isFinite(renewed) ? `renewed ${formatAge(f.now - renewed)} ago` : 'never renewed';
    text = `Lease ${lease.ref} held by ${lease.holder || 'nobody'}, ${ago} (lasts ${lease.durationSeconds ?? '?'}s)`;
  }
  if (readyz)
    text += `; ${readyz.url}/readyz: ${readyz.state === 'ready' ? 'ready' : `${readyz.state} (${readyz.detail})`}`;
  return text;
}

const yesNo = (b: boolean | undefined) => (b === undefined ? '-' : b ? 'yes' : 'no');

/** The table a person reads. */
export function renderTable(r: Report): string {
  const lines: string[] = [];
  const { mcs } = r;
  lines.push(
    `MultiClusterService ${mcs.namespace}/${mcs.name} (generation ${mcs.generation ?? '?'}): types ${mcs.types.join(', ') || '(none)'}; providers ${mcs.providers.join(', ') || 'none'}; consumers ${mcs.consumers.join(', ') || 'none'}`,
  );
  for (const c of mcs.conditions) lines.push(`  ${c.type}=${c.status} (${c.reason}): ${c.message}`);
  if (mcs.conditions.length === 0) lines.push('  no status conditions');
  lines.push(`Hub: ${r.hub}; members from ${r.memberSource}`);
  lines.push(`Syncer: ${r.syncer}`);
  lines.push('');
  const rows = r.rows.map((row) => [
    row.cluster,
    row.role,
    row.ready ? 'yes' : `no: ${row.notReady}`,
    row.service ?? 'none',
    yesNo(row.serviceAsHub),
    row.endpoints ? `${row.endpoints.ready}/${row.endpoints.total} ready` : '-',
    row.copies
      ? `${row.copies.ready}/${row.copies.total} ready, ${row.copies.current ? 'current' : `stale${row.copies.behindMs === undefined ? '' : ` (${formatAge(row.copies.behindMs)} behind)`}`}`
      : '-',
    row.kubeDns ?? '-',
    row.cidrs ?? '-',
  ]);
  lines.push(
    table(
      ['CLUSTER', 'ROLE', 'READY', 'SERVICE', 'AS HUB', 'ENDPOINTS', 'COPIES', 'KUBE-DNS', 'OWN CIDRS'],
      rows,
    ),
  );
  if (r.probes) {
    lines.push('');
    lines.push(`Probes from ${r.probes.from} (TCP connect, at most ${r.probes.timeoutMs / 1000}s each):`);
    if (r.probes.results.length === 0) lines.push('  no remote endpoint to probe');
    for (const p of r.probes.results)
      lines.push(`  ${p.ip}:${p.port} (${p.provider}): ${p.outcome}, ${p.detail}`);
  }
  lines.push('');
  if (r.problems.length === 0) lines.push('No problems found.');
  else {
    lines.push(`${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}:`);
    for (const p of r.problems) {
      lines.push(`- ${p.code}${p.cluster ? ` [${p.cluster}]` : ''}: ${p.message}`);
      lines.push(`  next: ${p.next}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** JSON for scripts: the report as it is. */
export function renderJson(r: Report): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}
