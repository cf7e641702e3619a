/**
 * One DNS query as a pod makes it, run inside the pod's network namespace (`ip netns exec`
 * mounts its /etc/netns resolv.conf on /etc/resolv.conf): the nameserver is the pod's, the
 * kube-dns cluster IP, so the query goes through kube-proxy to CoreDNS. Prints one JSON line,
 * {@link formatAnswer}'s; exits 0 whatever the answer, 2 on bad arguments.
 *   dns-query.ts --type A|SRV NAME
 */
import { promises as dns } from 'node:dns';
import { parseArgs } from 'node:util';
import { type DnsQueryResult, formatAnswer } from '../dns-answer.ts';

const { values, positionals } = parseArgs({
  options: { type: { type: 'string', default: 'A' } },
  allowPositionals: true,
});
const [name] = positionals;
if (!name || (values.type !== 'A' && values.type !== 'SRV')) {
  process.stderr.write('dns-query: usage: dns-query.ts --type A|SRV NAME\n');
  process.exit(2);
}
// No retries beyond one: a missing answer must show as a failure, not as a slow success.
const resolver = new dns.Resolver({ timeout: 2_000, tries: 2 });
let result: DnsQueryResult;
try {
  result =
    values.type === 'A'
      ? formatAnswer({ a: await resolver.resolve4(name) })
      : formatAnswer({ srv: await resolver.resolveSrv(name) });
} catch (err) {
  result = { ok: false, code: (err as NodeJS.ErrnoException).code ?? String(err) };
}
process.stdout.write(`${JSON.stringify(result)}\n`);
