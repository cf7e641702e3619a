/**
 * The floor the syncer is measured against: a bare copier with one watch in the provider
 * and one write per change in the consumer, and no logic at all — no queue, no cache, no
 * planning, no status. It runs as a process of its own, as the syncer does, on the same
 * client library with the same connection reuse.
 *
 *   node --import tsx floor-copier.ts KUBECONFIG FROM_CONTEXT TO_CONTEXT NAMESPACE SELECTOR
 */
import { DiscoveryV1Api, KubeConfig, type V1EndpointSlice, Watch } from '@kubernetes/client-node';
import { reuseConnections } from '../../../lib/kube-connections.ts';
import { httpCode } from '../../../lib/kube-errors.ts';

const [file, from, to, ns, selector] = process.argv.slice(2);
if (!file || !from || !to || !ns || !selector) {
  process.stderr.write('usage: floor-copier.ts KUBECONFIG FROM_CONTEXT TO_CONTEXT NAMESPACE SELECTOR\n');
  process.exit(2);
}
const namespace: string = ns;
const config = (context: string) => {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  kc.setCurrentContext(context);
  return reuseConnections(kc);
};
const source = config(from);
const target = config(to).makeApiClient(DiscoveryV1Api);
/** resourceVersion of each copy as its last write returned it: a replace needs it. */
const versions = new Map<string, string>();

async function copy(slice: V1EndpointSlice): Promise<void> {
  const name = `floor-${slice.metadata?.name}`;
  const body: V1EndpointSlice = {
    metadata: {
      name,
      namespace,
      labels: {
        'kubernetes.io/service-name': slice.metadata?.labels?.['kubernetes.io/service-name'] ?? '',
        'endpointslice.kubernetes.io/managed-by': 'floor.bench.mcs-bridge.io',
      },
      resourceVersion: versions.get(name),
    },
    addressType: slice.addressType,
    endpoints: slice.endpoints,
    ports: slice.ports,
  };
  try {
    const written = versions.has(name)
      ? await target.replaceNamespacedEndpointSlice({ name, namespace, body })
      : await target.createNamespacedEndpointSlice({ namespace, body });
    versions.set(name, written.metadata?.resourceVersion ?? '');
  } catch (err) {
    if (httpCode(err) !== 409) throw err;
    // Someone wrote it meanwhile (a previous run): take its version and write once more.
    const current = await target.readNamespacedEndpointSlice({ name, namespace });
    versions.set(name, current.metadata?.resourceVersion ?? '');
    await copy(slice);
  }
}

// One write at a time per copy, in the order the changes came.
const chains = new Map<string, Promise<void>>();
const watch = () =>
  new Watch(source).watch(
    `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
    { labelSelector: selector },
    (type: string, slice: V1EndpointSlice) => {
      if (type !== 'ADDED' && type !== 'MODIFIED') return;
      const name = slice.metadata?.name ?? '';
      const next = (chains.get(name) ?? Promise.resolve())
        .then(() => copy(slice))
        .catch((err: Error) => {
          process.stderr.write(`floor-copier: failed to copy ${name}: ${err.message}\n`);
        });
      chains.set(name, next);
    },
    () => void watch(),
  );
await watch();
process.stdout.write('ready\n');
process.on('SIGTERM', () => process.exit(0));
