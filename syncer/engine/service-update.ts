/**
 * The object to PUT when a Service copy has drifted: the cached object with the fields
 * the syncer owns replaced by the desired ones.
 *
 * Why not server-side apply: our copies are created with POST, and an apply under the
 * same manager name counts as a different manager, so a field the syncer stops setting
 * (a selector key removed on the hub) would stay owned by the create and never go away —
 * the copy would drift forever. A PUT of the whole object, guarded by resourceVersion,
 * says exactly what the copy must be.
 */
import type { V1Service, V1ServiceSpec } from '@kubernetes/client-node';

/** Spec fields the syncer writes on its copies. */
const OWNED_SPEC_FIELDS = [
  'type',
  'clusterIP',
  'ports',
  'selector',
  'sessionAffinity',
  'sessionAffinityConfig',
  'publishNotReadyAddresses',
  'ipFamilyPolicy',
  'ipFamilies',
  'internalTrafficPolicy',
  'trafficDistribution',
] as const satisfies readonly (keyof V1ServiceSpec)[];

/**
 * Fields the desired copy leaves unset on purpose so the member's API server allocates or
 * defaults them: an unset value keeps what the member has (the cluster IP above all).
 */
const KEEP_WHEN_UNSET: ReadonlySet<string> = new Set([
  'clusterIP',
  'ipFamilyPolicy',
  'ipFamilies',
  'internalTrafficPolicy',
]);

/** The full Service to PUT so that the copy matches `desired` on every owned field. Pure. */
export function serviceForUpdate(
  existing: V1Service,
  desired: V1Service,
  resourceVersion?: string,
): V1Service {
  const result = structuredClone(existing);
  delete result.status;
  result.metadata = {
    ...result.metadata,
    labels: { ...existing.metadata?.labels, ...desired.metadata?.labels },
    resourceVersion: resourceVersion ?? existing.metadata?.resourceVersion,
  };
  delete result.metadata.managedFields;
  const spec: Record<string, unknown> = { ...(result.spec ?? {}) };
  const want = (desired.spec ?? {}) as Record<string, unknown>;
  for (const field of OWNED_SPEC_FIELDS) {
    if (want[field] !== undefined) spec[field] = structuredClone(want[field]);
    else if (!KEEP_WHEN_UNSET.has(field)) delete spec[field];
  }
  // Going back to single-stack: keep only the primary family, or the API server refuses.
  if (spec.ipFamilyPolicy === 'SingleStack') {
    if (Array.isArray(spec.ipFamilies) && spec.ipFamilies.length > 1)
      spec.ipFamilies = spec.ipFamilies.slice(0, 1);
    if (Array.isArray(spec.clusterIPs) && spec.clusterIPs.length > 1)
      spec.clusterIPs = spec.clusterIPs.slice(0, 1);
  }
  result.spec = spec as V1ServiceSpec;
  return result;
}
