/**
 * Builders shared by the webhook's unit tests.
 */
import { pino } from 'pino';
import type { AdmissionRequest } from '../../../webhook/admission/admission-review.ts';
import type { MultiClusterService, MultiClusterServiceSpec } from '../../../webhook/api.ts';

/** A logger that writes nothing. */
export const silentLogger = () => pino({ level: 'silent' });

/** The seed's MultiClusterService (nginx: provider member1, consumer member2), with overrides. */
export function mcs(spec: MultiClusterServiceSpec = {}, name = 'nginx'): MultiClusterService {
  return {
    apiVersion: 'networking.karmada.io/v1alpha1',
    kind: 'MultiClusterService',
    metadata: { name, namespace: 'default' },
    spec: {
      types: ['CrossCluster'],
      providerClusters: [{ name: 'member1' }],
      consumerClusters: [{ name: 'member2' }],
      ...spec,
    },
  };
}

/** An AdmissionRequest for a MultiClusterService. */
export function admissionRequest(overrides: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: { group: 'networking.karmada.io', version: 'v1alpha1', kind: 'MultiClusterService' },
    operation: 'CREATE',
    namespace: 'default',
    name: 'nginx',
    object: mcs(),
    ...overrides,
  };
}

/** A whole AdmissionReview body around a request. */
export function review(request: unknown, apiVersion = 'admission.k8s.io/v1') {
  return { apiVersion, kind: 'AdmissionReview', request };
}

/** A fixed UUID source: returns the given ids in turn. */
export function uuids(...ids: string[]): () => string {
  let i = 0;
  return () => ids[i++ % ids.length] ?? 'no-uuid';
}

/** The RFC 1123 label message of apimachinery. */
export const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** The RFC 1035 label message of apimachinery. */
export const DNS1035_LABEL_MSG =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/** Applies the add/remove operations the webhook emits to a copy of doc (enough for tests). */
export function applyPatch<T>(doc: T, patch: readonly { op: string; path: string; value?: unknown }[]): T {
  const copy = structuredClone(doc) as unknown as Record<string, unknown>;
  for (const op of patch) {
    const keys = op.path
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    const last = keys.pop();
    if (last === undefined) throw new Error(`cannot patch the root: ${op.path}`);
    let parent: Record<string, unknown> = copy;
    for (const k of keys) {
      const next = parent[k];
      if (typeof next !== 'object' || next === null) throw new Error(`no parent for ${op.path}`);
      parent = next as Record<string, unknown>;
    }
    if (op.op === 'add') parent[last] = op.value;
    else if (op.op === 'remove') {
      if (!(last in parent)) throw new Error(`nothing to remove at ${op.path}`);
      delete parent[last];
    } else throw new Error(`unexpected op ${op.op}`);
  }
  return copy as unknown as T;
}
