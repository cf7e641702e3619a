/**
 * API writes per cluster role, read from each program's own client metrics. Pure: Prometheus
 * text in, counts out.
 * - Karmada's programs (client-go): `rest_client_requests_total{code, host, method}`, where host
 *   is the API server's `127.0.0.1:<port>`; the hub's port tells hub from members.
 * - mcs-bridge's syncer: `mcs_bridge_syncer_api_requests_total{cluster, verb, code}`.
 */

/** One sample of a Prometheus text exposition. */
export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** API writes, split by where they went. */
export interface Writes {
  hub: number;
  members: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a Prometheus text exposition (comments and blank lines skipped). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = LINE.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL))
      labels[l[1] as string] = (l[2] as string).replace(/\\(.)/g, '$1');
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return samples;
}

const HTTP_WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const VERB_WRITES = new Set(['create', 'update', 'patch', 'delete']);

/** Writes a client-go program made, split into those to `hubHost` (`127.0.0.1:<port>`) and the rest. */
export function clientGoWrites(text: string, hubHost: string): Writes {
  const out: Writes = { hub: 0, members: 0 };
  for (const s of parseMetrics(text)) {
    if (s.name !== 'rest_client_requests_total' || !HTTP_WRITES.has(s.labels.method ?? '')) continue;
    if (s.labels.host === hubHost) out.hub += s.value;
    else out.members += s.value;
  }
  return out;
}

/** Writes mcs-bridge's syncer made, split into those to the hub and those to members. */
export function syncerWrites(text: string): Writes {
  const out: Writes = { hub: 0, members: 0 };
  for (const s of parseMetrics(text)) {
    if (s.name !== 'mcs_bridge_syncer_api_requests_total' || !VERB_WRITES.has(s.labels.verb ?? '')) continue;
    if (s.labels.cluster === 'hub') out.hub += s.value;
    else out.members += s.value;
  }
  return out;
}

/** `after - before`, field by field. */
export function writesBetween(before: Writes, after: Writes): Writes {
  return { hub: after.hub - before.hub, members: after.members - before.members };
}

/** The sum of several programs' writes. */
export function addWrites(list: readonly Writes[]): Writes {
  return list.reduce((a, b) => ({ hub: a.hub + b.hub, members: a.members + b.members }), {
    hub: 0,
    members: 0,
  });
}
