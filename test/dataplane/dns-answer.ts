/**
 * A DNS answer as the data plane's tests compare it: records as sorted strings, or the
 * resolver's error code (`ENOTFOUND` is NXDOMAIN, `ENODATA` a name without records of that type).
 * Pure, shared by the query program that runs in a pod's namespace and the tests that read it.
 */

/** The outcome of one query. */
export type DnsQueryResult = { ok: true; records: string[] } | { ok: false; code: string };

/** One SRV record as the resolver returns it. */
export interface SrvRecord {
  name: string;
  port: number;
  priority: number;
  weight: number;
}

/**
 * Sorted records: A as addresses, SRV as `<port> <target>` (priority and weight are CoreDNS's
 * to choose and say nothing about the import).
 */
export function formatAnswer(answer: { a: string[] } | { srv: SrvRecord[] }): DnsQueryResult {
  const records = 'a' in answer ? answer.a : answer.srv.map((r) => `${r.port} ${r.name}`);
  return { ok: true, records: [...records].sort() };
}

/** Reads the query program's output line; throws naming what it got when it is not one. */
export function parseDnsQueryOutput(stdout: string): DnsQueryResult {
  try {
    const r = JSON.parse(stdout) as DnsQueryResult;
    if (r.ok === true && Array.isArray(r.records)) return r;
    if (r.ok === false && typeof r.code === 'string') return r;
  } catch {
    /* reported below */
  }
  throw new Error(`the DNS query printed no answer: ${JSON.stringify(stdout)}`);
}
