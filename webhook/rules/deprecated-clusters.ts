/**
 * Karmada's deprecated cluster fields: which clusters mcs-bridge reads from them, and what it
 * tells the user about it.
 *
 * Karmada v1.18 ignores all three (no controller reads serviceProvisionClusters,
 * serviceConsumptionClusters or range.clusterNames, and its webhook says nothing: karmada#4604),
 * so an object that uses them alone is served by every cluster. mcs-bridge honours what they say when the field that replaces them is empty,
 * which narrows what Karmada did: every warning about it says so. A name no cluster can have
 * (too long, not an RFC 1123 label) is left out with a warning instead of refused: Karmada never
 * validates these fields, and an object it accepted must stay writable here.
 */
import { canBeClusterName } from '../../lib/cluster-name.ts';
import type { MultiClusterServiceSpec } from '../api.ts';
import { renderValue } from '../go-render/field-errors.ts';
import { goQuote } from '../go-render/go-quote.ts';
import { validateClusterName } from './validate-names.ts';

/** One of the two cluster lists that replace the deprecated fields. */
export type ClusterListField = 'providerClusters' | 'consumerClusters';

/** A deprecated field and the names it holds. */
export interface DeprecatedList {
  /** Its field path: `spec.range.clusterNames`. */
  path: string;
  names: readonly (string | null)[];
}

/** The deprecated fields that feed a list, in the order their names are taken. */
export function deprecatedListsFor(spec: MultiClusterServiceSpec, field: ClusterListField): DeprecatedList[] {
  if (field === 'providerClusters') {
    return [{ path: 'spec.serviceProvisionClusters', names: spec.serviceProvisionClusters ?? [] }];
  }
  return [
    { path: 'spec.serviceConsumptionClusters', names: spec.serviceConsumptionClusters ?? [] },
    { path: 'spec.range.clusterNames', names: spec.range?.clusterNames ?? [] },
  ];
}

/** How a list's deprecated fields are read, and the warnings that explain it. */
export interface DeprecatedReading {
  /** True when the list is empty and its deprecated fields name clusters: they are read instead. */
  read: boolean;
  /** The names read (only those that can be clusters), in order, repeats kept. */
  names: string[];
  warnings: string[];
}

/** Whether the mutating webhook has moved the names (and removed the field), or only reads them. */
export type Handling = 'converted' | 'read in place';

/** Most names quoted in one warning, and most warnings about unusable names per field. */
const MAX_QUOTED = 10;

function quotedList(names: readonly string[]): string {
  const shown = names.slice(0, MAX_QUOTED).map(goQuote).join(', ');
  return names.length > MAX_QUOTED ? `${shown} and ${names.length - MAX_QUOTED} more` : shown;
}

/** What Karmada did with an empty list, and what mcs-bridge does with a narrowed one. */
const ROLE_WORDS: Record<
  ClusterListField,
  { karmada: string; ours: string; restore: string; every: string }
> = {
  providerClusters: {
    karmada: "collected this Service's endpoints from every cluster",
    ours: 'collects them only from',
    restore: 'collect from every cluster again',
    every: 'every cluster provides',
  },
  consumerClusters: {
    karmada: 'served this MultiClusterService to every cluster',
    ours: 'serves it only to',
    restore: 'serve every cluster again',
    every: 'every cluster consumes',
  },
};

const NOT_CONVERTED = 'is deprecated and was not converted (is the mutating webhook registered?)';

/** Warnings about the names of one deprecated field that no cluster can have. */
function unusableNameWarnings(list: DeprecatedList): { usable: string[]; warnings: string[] } {
  const usable: string[] = [];
  const warnings: string[] = [];
  let unusable = 0;
  for (const [i, name] of list.names.entries()) {
    if (canBeClusterName(name)) {
      usable.push(name);
      continue;
    }
    if (++unusable > MAX_QUOTED) continue;
    // A null is the "" Karmada's webhook decodes it into.
    const reason = validateClusterName(name ?? '').join(', ');
    warnings.push(
      `${list.path}[${i}]: ${renderValue(name)} cannot be a cluster's name (${reason}), so mcs-bridge leaves it out`,
    );
  }
  if (unusable > MAX_QUOTED) {
    warnings.push(
      `${list.path}: ${unusable - MAX_QUOTED} more names that cannot be a cluster's are left out`,
    );
  }
  return { usable, warnings };
}

/** The words for one or several deprecated fields: `spec.a is … it … its`, `spec.a and spec.b are … them … their`. */
function subject(paths: readonly string[]) {
  const one = paths.length === 1;
  return {
    paths: paths.join(' and '),
    is: one ? 'is' : 'are',
    was: one ? 'was' : 'were',
    it: one ? 'it' : 'them',
    its: one ? 'its' : 'their',
  };
}

/**
 * The warning about the deprecated fields of a list that are read: the names they give (all of
 * them, repeats dropped) narrow what Karmada did, or, when none can be a cluster's, the list stays
 * empty and means every cluster, as under Karmada.
 */
function readingWarning(
  paths: readonly string[],
  field: ClusterListField,
  names: string[],
  handling: Handling,
): string {
  const words = ROLE_WORDS[field];
  const s = subject(paths);
  const unique = [...new Set(names)];
  if (unique.length === 0) {
    const what =
      handling === 'converted'
        ? `${s.is} deprecated and ${s.was} removed`
        : `${s.is} deprecated and ${s.was} not converted (is the mutating webhook registered?)`;
    const stays = handling === 'converted' ? `spec.${field} stays empty and ` : '';
    return `${s.paths} ${what}: none of ${s.its} names can be a cluster's, so ${stays}${words.every}, as under Karmada`;
  }
  if (handling === 'converted') {
    return `${s.paths} ${s.is} deprecated and Karmada ignores ${s.it}: Karmada ${words.karmada}, but mcs-bridge moved ${s.its} names into spec.${field} and ${words.ours} ${quotedList(unique)} (to ${words.restore}, remove spec.${field})`;
  }
  return `${s.paths} ${s.is} deprecated and ${s.was} not converted (is the mutating webhook registered?); Karmada ignores ${s.it} and ${words.karmada}, but mcs-bridge reads ${s.it} as spec.${field} and ${words.ours} ${quotedList(unique)}`;
}

/**
 * Reads the deprecated fields that feed `field`: when the list itself is empty, the names of its
 * deprecated fields that can be clusters; when it is set, nothing (it takes precedence, as in
 * Karmada). Either way, the warnings say what happened to each deprecated field that holds names.
 */
export function readDeprecated(
  spec: MultiClusterServiceSpec,
  field: ClusterListField,
  handling: Handling,
): DeprecatedReading {
  const given = deprecatedListsFor(spec, field).filter((d) => d.names.length > 0);
  const warnings: string[] = [];
  if ((spec[field] ?? []).length > 0) {
    for (const d of given) {
      warnings.push(
        handling === 'converted'
          ? `${d.path} is deprecated and was removed: spec.${field} is set and takes precedence`
          : `${d.path} ${NOT_CONVERTED}; spec.${field} is set and takes precedence, as in Karmada`,
      );
    }
    return { read: false, names: [], warnings };
  }
  const names: string[] = [];
  const contributing: string[] = [];
  const unusable: string[] = [];
  for (const d of given) {
    const { usable, warnings: about } = unusableNameWarnings(d);
    if (usable.length > 0) contributing.push(d.path);
    names.push(...usable);
    unusable.push(...about);
  }
  if (given.length > 0) {
    const paths = names.length > 0 ? contributing : given.map((d) => d.path);
    warnings.push(readingWarning(paths, field, names, handling), ...unusable);
  }
  return { read: given.length > 0, names, warnings };
}
