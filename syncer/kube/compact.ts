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

/**
 * An EndpointSlice as the cache keeps it. One class, so that every cached slice shares one
 * hidden class: a getter defined on each object gave each its own (with a closure, a context
 * and an accessor pair), which a heap snapshot at 5,000 MCS counted among 200,000 object shapes.
 * The deflated endpoints are held as a one-byte string (latin1), which costs no Buffer or
 * ArrayBuffer object per slice; `toJSON` puts the endpoints back for a reader that serialises.
 */
class CompactSlice implements V1EndpointSlice {
  apiVersion?: string;
  kind?: string;
  metadata: V1ObjectMeta;
  addressType: string;
  ports?: V1EndpointSlice['ports'];
  readonly #packed: string;

  constructor(slice: V1EndpointSlice) {
    this.apiVersion = slice.apiVersion;
    this.kind = slice.kind;
    this.metadata = trimMetadata(slice.metadata);
    this.addressType = slice.addressType;
    this.ports = slice.ports;
    this.#packed = deflateRawSync(JSON.stringify((slice.endpoints ?? []).map(slimEndpoint))).toString(
      'latin1',
    );
  }

  /** The endpoints, inflated afresh on every read: a reader may change them without touching the cache. */
  get endpoints(): V1Endpoint[] {
    return JSON.parse(inflateRawSync(Buffer.from(this.#packed, 'latin1')).toString('utf8')) as V1Endpoint[];
  }

  toJSON(): V1EndpointSlice {
    const out: V1EndpointSlice = { addressType: this.addressType, endpoints: this.endpoints };
    if (this.apiVersion !== undefined) out.apiVersion = this.apiVersion;
    if (this.kind !== undefined) out.kind = this.kind;
    out.metadata = this.metadata;
    if (this.ports !== undefined) out.ports = this.ports;
    return out;
  }
}

/** An EndpointSlice as the cache keeps it: trimmed metadata, deflated endpoints. */
export function compactSlice(slice: V1EndpointSlice): V1EndpointSlice {
  return new CompactSlice(slice);
}
