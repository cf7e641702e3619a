/**
 * Defaulting of a MultiClusterService as a JSON Patch: a pure function of the object and a UUID
 * source. An object that needs nothing gets an empty patch.
 */
import {
  type ClusterSelector,
  DEFAULT_EXPOSURE_TYPE,
  type MultiClusterService,
  type MultiClusterServiceSpec,
  PERMANENT_ID_LABEL,
} from './api.ts';
import { add, type JsonPatchOperation, pointer, remove } from './json-patch.ts';

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

function quoted(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ');
}

/** One of the two cluster lists, with the deprecated fields that feed it. */
interface ClusterListPlan {
  field: 'providerClusters' | 'consumerClusters';
  deprecated: { path: string; names: readonly string[] }[];
}

/**
 * The new value of a cluster list: its own entries when it has any, else those of its
 * deprecated fields (Karmada ignores these silently, which misleads users: karmada#4604);
 * duplicates dropped either way.
 */
function planClusterList(spec: MultiClusterServiceSpec, plan: ClusterListPlan, warnings: string[]) {
  const own = spec[plan.field] ?? [];
  const given = plan.deprecated.filter((d) => d.names.length > 0);
  const converted = own.length === 0 && given.length > 0;
  let selectors: ClusterSelector[] = own;
  if (converted) {
    selectors = given.flatMap((d) => d.names.map((name) => ({ name })));
    for (const d of given) warnings.push(`${d.path} is deprecated: converted to spec.${plan.field}`);
  } else {
    for (const d of given) {
      warnings.push(
        `${d.path} is deprecated and was removed: spec.${plan.field} is set and takes precedence`,
      );
    }
  }
  const { kept, dropped } = dedupe(selectors);
  if (dropped.length > 0)
    warnings.push(`spec.${plan.field}: dropped duplicate cluster names ${quoted(dropped)}`);
  return converted || dropped.length > 0 ? [add(pointer('spec', plan.field), kept)] : [];
}

/** Types, cluster lists and deprecated fields of spec. */
function specPatch(spec: MultiClusterServiceSpec, warnings: string[]): JsonPatchOperation[] {
  const patch: JsonPatchOperation[] = [];
  if ((spec.types ?? []).length === 0) patch.push(add(pointer('spec', 'types'), [DEFAULT_EXPOSURE_TYPE]));
  patch.push(
    ...planClusterList(
      spec,
      {
        field: 'providerClusters',
        deprecated: [{ path: 'spec.serviceProvisionClusters', names: spec.serviceProvisionClusters ?? [] }],
      },
      warnings,
    ),
    ...planClusterList(
      spec,
      {
        field: 'consumerClusters',
        deprecated: [
          { path: 'spec.serviceConsumptionClusters', names: spec.serviceConsumptionClusters ?? [] },
          { path: 'spec.range.clusterNames', names: spec.range?.clusterNames ?? [] },
        ],
      },
      warnings,
    ),
  );
  for (const field of ['serviceProvisionClusters', 'serviceConsumptionClusters', 'range'] as const) {
    if (spec[field] !== undefined) patch.push(remove(pointer('spec', field)));
  }
  return patch;
}

/**
 * Defaults a MultiClusterService: the permanent-id label; `spec.types` = [CrossCluster] when
 * missing or empty; deprecated cluster fields moved into providerClusters/consumerClusters when
 * those are empty, then removed; duplicate cluster names dropped, order kept.
 */
export function defaultMultiClusterService(mcs: MultiClusterService, newUuid: () => string): Defaulting {
  const warnings: string[] = [];
  const patch = permanentIdPatch(mcs, newUuid);
  if (mcs.spec === undefined || mcs.spec === null) {
    patch.push(add(pointer('spec'), { types: [DEFAULT_EXPOSURE_TYPE] }));
  } else {
    patch.push(...specPatch(mcs.spec, warnings));
  }
  return { patch, warnings };
}
