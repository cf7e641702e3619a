/**
 * The floor of a cold start at scale: a bare bulk writer that makes exactly the data
 * objects the syncer converges to — each Service in the provider and both consumers, and
 * a copy of every source slice in both consumers — as fast as the API servers take them,
 * with no cache, no planning, no status and no finalizer. It runs as a process of its
 * own, as the syncer does, after the syncer's run, into a namespace of its own.
 *
 *   node --import tsx floor-bulk.ts KUBECONFIG SOURCE_NAMESPACE TARGET_NAMESPACE CONCURRENCY
 * Prints the seconds it took, from its start to its last write.
 */
import { KubeConfig, type V1EndpointSlice } from '@kubernetes/client-node';
import { reuseConnections } from '../../../lib/kube-connections.ts';
import { httpCode } from '../../../lib/kube-errors.ts';
import { rawList, rawRequest } from '../../../syncer/kube/raw-api.ts';
import { inParallel } from './stats.ts';

const started = performance.now();
const [file, sourceNs, targetNs, concurrencyText] = process.argv.slice(2);
if (!file || !sourceNs || !targetNs) {
  process.stderr.write('usage: floor-bulk.ts KUBECONFIG SOURCE_NAMESPACE TARGET_NAMESPACE [CONCURRENCY]\n');
  process.exit(2);
}
const config = (context: string) => {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  kc.setCurrentContext(context);
  return reuseConnections(kc);
};
const member = { member1: config('member1'), member2: config('member2'), member3: config('member3') };
const slices = (
  await rawList<V1EndpointSlice>(
    member.member1,
    `/apis/discovery.k8s.io/v1/namespaces/${sourceNs}/endpointslices`,
  )
).items;
const services = [...new Set(slices.map((s) => s.metadata?.labels?.['kubernetes.io/service-name'] ?? ''))];
type Write = { cluster: keyof typeof member; path: string; body: unknown };
const writes: Write[] = [];
for (const name of services) {
  for (const cluster of ['member1', 'member2', 'member3'] as const) {
    writes.push({
      cluster,
      path: `/api/v1/namespaces/${targetNs}/services`,
      body: { metadata: { name }, spec: { ports: [{ name: 'http', port: 80 }] } },
    });
  }
}
for (const s of slices) {
  for (const cluster of ['member2', 'member3'] as const) {
    writes.push({
      cluster,
      path: `/apis/discovery.k8s.io/v1/namespaces/${targetNs}/endpointslices`,
      body: {
        // No service-name label: these are timing stand-ins, not copies anything should use.
        metadata: { name: `member1-${s.metadata?.name}`, labels: { 'bench.mcs-bridge.io/floor': 'true' } },
        addressType: s.addressType,
        endpoints: s.endpoints,
        ports: s.ports,
      },
    });
  }
}
/** A saturated API server answers 429 or 504 now and then: the floor retries, as any client would. */
async function post(kc: KubeConfig, path: string, body: unknown): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await rawRequest(kc, { method: 'POST', path, body });
      return;
    } catch (err) {
      const code = httpCode(err);
      if (attempt >= 10 || (code !== 429 && (code === undefined || code < 500))) throw err;
      await new Promise((r) => setTimeout(r, 100 * attempt));
    }
  }
}
await inParallel(writes, Number(concurrencyText ?? 32), (w) => post(member[w.cluster], w.path, w.body));
process.stdout.write(
  `${JSON.stringify({ seconds: (performance.now() - started) / 1000, writes: writes.length })}\n`,
);
