/**
 * Defaulting of a MultiClusterService as a JSON Patch: a pure function of the object and a UUID
 * source. An object that needs nothing gets an empty patch.
 */

import { add, type JsonPatchOperation, pointer, remove } from '../admission/json-patch.ts';
import {
  type ClusterSelector,
  DEFAULT_EXPOSURE_TYPE,
  type MultiClusterService,
  type MultiClusterServiceSpec,
  PERMANENT_ID_LABEL,
} from '../api.ts';
import { goQuote } from '../go-render/go-quote.ts';
import { type ClusterListField, readDeprecated } from './deprecated-clusters.ts';

/** The patch to apply and the warnings to show the user. */
export interface Defaulting {
  patch: JsonPatchOperation[];
  warnings: string[];
}

/** Karmada's only default: a permanent-id label holding a new UUID, unless one is set. */
function permanentIdPatch(mcs: MultiClusterService, newUuid: () => string): JsonPatchOperation[] {
  const labels = mcs.metadata?.labels;
  if (labels?.[PERMANENT_ID_LABEL]) return [];
  const id = newUuid();
  if (labels) return [add(pointer('metadata', 'labels', PERMANENT_ID_LABEL), id)];
  if (mcs.metadata) return [add(pointer('metadata', 'labels'), { [PERMANENT_ID_LABEL]: id })];
  return [add(pointer('metadata'), { labels: { [PERMANENT_ID_LABEL]: id } })];
}

/**
 * Keeps the first selector of each name, in order, as `{name}` alone (the only field a
 * ClusterSelector has: anything else is pruned by the API server, and must not be copied into
 * the patch); returns the names dropped.
 */
function dedupe(selectors: readonly ClusterSelector[]): { kept: ClusterSelector[]; dropped: string[] } {
  const seen = new Set<string>();
  const kept: ClusterSelector[] = [];
  const dropped = new Set<string>();
  for (const { name } of selectors) {
    if (seen.has(name)) dropped.add(name);
    else {
      seen.add(name);
      kept.push({ name });
    }
  }
  return { kept, dropped: [...dropped] };
}

/**
 * The new value of a cluster list: its own entries when it has any, else the names of its
 * deprecated fields that can be clusters (deprecated-clusters.ts); duplicates dropped either way.
 */
function planClusterList(
  spec: MultiClusterServiceSpec,
  field: ClusterListField,
  warnings: string[],
): SpecChange[] {
  const reading = readDeprecated(spec, field, 'converted');
  warnings.push(...reading.warnings);
  const converted = reading.read && reading.names.length > 0;
  const selectors = converted ? reading.names.map((name) => ({ name })) : (spec[field] ?? []);
  const { kept, dropped } = dedupe(selectors);
  if (dropped.length > 0)
    warnings.push(`spec.${field}: dropped duplicate cluster names ${dropped.map(goQuote).join(', ')}`);
  return converted || dropped.length > 0 ? [{ field, value: kept }] : [];
}

/** A field of spec set to a value, or removed (value undefined). */
interface SpecChange {
  field: keyof MultiClusterServiceSpec;
  value?: unknown;
}

/** The changes defaulting makes to spec: types, cluster lists and deprecated fields. */
function specChanges(spec: MultiClusterServiceSpec, warnings: string[]): SpecChange[] {
  const changes: SpecChange[] = [];
  if ((spec.types ?? []).length === 0) changes.push({ field: 'types', value: [DEFAULT_EXPOSURE_TYPE] });
  changes.push(
    ...planClusterList(spec, 'providerClusters', warnings),
    ...planClusterList(spec, 'consumerClusters', warnings),
  );
  for (const field of ['serviceProvisionClusters', 'serviceConsumptionClusters', 'range'] as const) {
    if (spec[field] !== undefined) changes.push({ field });
  }
  return changes;
}

/**
 * The spec as our mutating webhook leaves it (what {@link defaultMultiClusterService} patches in).
 * The validating webhook compares specs through it: a change our own defaulting makes, such as
 * converting the deprecated fields of an object stored under Karmada, is not a change by the user.
 */
export function defaultedSpec(spec: MultiClusterServiceSpec | undefined | null): MultiClusterServiceSpec {
  if (spec === undefined || spec === null) return { types: [DEFAULT_EXPOSURE_TYPE] };
  const result: Record<string, unknown> = { ...spec };
  for (const { field, value } of specChanges(spec, [])) {
    if (value === undefined) delete result[field];
    else result[field] = value;
  }
  return result as MultiClusterServiceSpec;
}

/**
 * Defaults a MultiClusterService: the permanent-id label; `spec.types` = [CrossCluster] when
 * missing or empty; the names of deprecated cluster fields moved into providerClusters/
 * consumerClusters when those are empty (names no cluster can have are left out, never refused),
 * then the deprecated fields removed; duplicate cluster names dropped, order kept.
 */
export function defaultMultiClusterService(mcs: MultiClusterService, newUuid: () => string): Defaulting {
  const warnings: string[] = [];
  const patch = permanentIdPatch(mcs, newUuid);
  if (mcs.spec === undefined || mcs.spec === null) {
    patch.push(add(pointer('spec'), { types: [DEFAULT_EXPOSURE_TYPE] }));
  } else {
    for (const { field, value } of specChanges(mcs.spec, warnings)) {
      patch.push(value === undefined ? remove(pointer('spec', field)) : add(pointer('spec', field), value));
    }
  }
  return { patch, warnings };
}
