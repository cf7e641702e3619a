/**
 * The forms objects take in the syncer's caches: only what the syncer reads. At 5,000
 * MCS the caches hold over a million endpoints (the sources in each provider, our copies
 * in each consumer); as client-node objects they would take about 400 bytes each.
 * - Every object loses its managedFields and last-applied annotation.
 * - An EndpointSlice keeps its endpoints deflated: the fields a copy carries (addresses,
 *   conditions, hostname, nodeName, zone — never targetRef or hints, which point into
 *   another cluster) as JSON, compressed. Reading `endpoints` inflates them afresh each
 *   time (about 60 µs for 50 endpoints), which only a reconcile of that Service does.
 * Cached objects are read-only (sample-controller's rule), so the getter is enough.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { KubernetesObject, V1Endpoint, V1EndpointSlice, V1ObjectMeta } from '@kubernetes/client-node';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * One copy of each short string that recurs across objects (namespaces, label values
 * such as managed-by or source-cluster): JSON.parse makes a new string for every value,
 * so at 5,000 MCS the same namespace name would otherwise be held tens of thousands of times.
 */
const interned = new Map<string, string>();
function intern(s: string | undefined): string | undefined {
  if (s === undefined || s.length > 64) return s;
  const found = interned.get(s);
  if (found !== undefined) return found;
  if (interned.size < 100_000) interned.set(s, s);
  return s;
}

function internAll(record: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!record) return record;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) out[k] = intern(v) ?? v;
  return out;
}

/**
 * The metadata the syncer reads: no managedFields, no last-applied configuration, no
 * timestamps but deletionTimestamp (nothing else in the syncer reads them).
 */
export function trimMetadata(meta: V1ObjectMeta | undefined): V1ObjectMeta {
  if (!meta) return {};
  const {
    managedFields: _managed,
    creationTimestamp: _created,
    annotations,
    labels,
    namespace,
    ...rest
  } = meta;
  const out: V1ObjectMeta = { ...rest };
  if (namespace !== undefined) out.namespace = intern(namespace);
  if (labels) out.labels = internAll(labels);
  if (annotations) {
    const { [LAST_APPLIED]: _lastApplied, ...kept } = annotations;
    if (Object.keys(kept).length > 0) out.annotations = internAll(kept);
  }
  return out;
}

/** An object with trimmed metadata (Services, Namespaces, MultiClusterServices). */
export function trimObject<T extends KubernetesObject>(o: T): T {
  return { ...o, metadata: trimMetadata(o.metadata) };
}

function slimEndpoint(e: V1Endpoint): V1Endpoint {
  const out: V1Endpoint = { addresses: e.addresses };
  if (e.conditions) out.conditions = e.conditions;
  if (e.hostname !== undefined) out.hostname = e.hostname;
  if (e.nodeName !== undefined) out.nodeName = e.nodeName;
  if (e.zone !== undefined) out.zone = e.zone;
  return out;
}

/** An EndpointSlice as the cache keeps it: trimmed metadata, deflated endpoints. */
export function compactSlice(slice: V1EndpointSlice): V1EndpointSlice {
  const { endpoints, metadata, ...rest } = slice;
  // An exact-size, unpooled copy: a pooled Buffer.from would share an 8 KB slab with
  // short-lived buffers and keep the whole slab alive as long as the slice is cached
  // (measured: 16 MB of slabs for 3 MB of data at 1,000 MCS).
  const deflated = deflateRawSync(JSON.stringify((endpoints ?? []).map(slimEndpoint)));
  const packed = Buffer.allocUnsafeSlow(deflated.length);
  deflated.copy(packed);
  const compact = { ...rest, metadata: trimMetadata(metadata) } as V1EndpointSlice;
  Object.defineProperty(compact, 'endpoints', {
    enumerable: true,
    get: () => JSON.parse(inflateRawSync(packed).toString('utf8')) as V1Endpoint[],
  });
  return compact;
}
