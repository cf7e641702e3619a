/**
 * Karmada's validation rules for MultiClusterService (pkg/webhook/multiclusterservice/validating.go)
 * as pure functions that return every error at once, each with its field path.
 *
 * One deliberate difference: Karmada reports a bad provider or consumer cluster name under
 * `spec.range.providerClusters[i]`, a path that does not exist; we name the real field,
 * `spec.providerClusters[i].name`. The messages are Karmada's.
 */
import {
  DEFAULT_EXPOSURE_TYPE,
  EXPOSURE_TYPES,
  type MultiClusterService,
  type MultiClusterServiceSpec,
} from '../api.ts';
import {
  duplicate,
  enoughErrors,
  type FieldError,
  fieldPath,
  invalid,
  required,
} from '../go-render/field-errors.ts';
import { defaultedSpec } from './mutate-defaults.ts';
import { isDNS1035Label, isDNS1123Label, isValidPortNum, validateClusterName } from './validate-names.ts';

const KNOWN_TYPES: readonly string[] = EXPOSURE_TYPES;

/** apimachinery's NameIsDNS1035Label on metadata.name and metadata.generateName. */
export function validateMetadata(mcs: MultiClusterService): FieldError[] {
  const errors: FieldError[] = [];
  const meta = mcs.metadata ?? {};
  if (meta.generateName) {
    // A prefix may end in '-': the generated suffix follows it.
    const masked = meta.generateName.replace(/-$/, 'a');
    for (const msg of isDNS1035Label(masked)) {
      errors.push(invalid('metadata.generateName', meta.generateName, msg));
    }
  }
  if (!meta.name) {
    errors.push(required('metadata.name', 'name or generateName is required'));
  } else {
    for (const msg of isDNS1035Label(meta.name)) errors.push(invalid('metadata.name', meta.name, msg));
  }
  return errors;
}

function validatePorts(spec: MultiClusterServiceSpec): FieldError[] {
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, port] of (spec.ports ?? []).entries()) {
    if (enoughErrors(errors)) break;
    const name = port.name ?? '';
    if (name !== '') {
      const namePath = fieldPath('spec', 'ports', i, 'name');
      for (const msg of isDNS1123Label(name)) errors.push(invalid(namePath, name, msg));
      if (seen.has(name)) errors.push(duplicate(namePath, name));
      else seen.add(name);
    }
    for (const msg of isValidPortNum(port.port)) {
      errors.push(invalid(fieldPath('spec', 'ports', i, 'port'), port.port, msg));
    }
  }
  return errors;
}

function validateTypes(spec: MultiClusterServiceSpec): FieldError[] {
  const errors: FieldError[] = [];
  const types = spec.types ?? [];
  for (const [i, type] of types.entries()) {
    if (enoughErrors(errors)) break;
    if (!KNOWN_TYPES.includes(type))
      // Karmada's ExposureType is a named string type: apimachinery shows it with json.Marshal.
      errors.push(invalid(fieldPath('spec', 'types', i), type, 'ExposureType Error', 'json'));
  }
  if (new Set(types).size > 1) {
    errors.push(
      invalid('spec.types', types, 'MultiClusterService types should not contain more than one type'),
    );
  }
  return errors;
}

function validateClusters(spec: MultiClusterServiceSpec): FieldError[] {
  const errors: FieldError[] = [];
  for (const list of ['providerClusters', 'consumerClusters'] as const) {
    for (const [i, cluster] of (spec[list] ?? []).entries()) {
      if (enoughErrors(errors)) break;
      const msgs = validateClusterName(cluster.name);
      if (msgs.length > 0)
        errors.push(invalid(fieldPath('spec', list, i, 'name'), cluster.name, msgs.join(',')));
    }
  }
  return errors;
}

/** The rules on spec: ports, types, provider and consumer cluster names. */
export function validateSpec(spec: MultiClusterServiceSpec): FieldError[] {
  return [...validatePorts(spec), ...validateTypes(spec), ...validateClusters(spec)];
}

/** Every error of a MultiClusterService being created. */
export function validateCreate(mcs: MultiClusterService): FieldError[] {
  return [...validateMetadata(mcs), ...validateSpec(mcs.spec ?? {})];
}

/**
 * The distinct types, with none meaning CrossCluster: our mutating webhook fills in an empty
 * list, and an object stored before it did must stay updatable.
 */
function effectiveTypes(spec: MultiClusterServiceSpec | undefined): Set<string> {
  const types = spec?.types ?? [];
  return new Set(types.length > 0 ? types : [DEFAULT_EXPOSURE_TYPE]);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((v) => b.has(v));
}

/** `spec.types` may not change once set; a reorder or repeat of the same types is no change. */
export function validateTypesUnchanged(
  oldMcs: MultiClusterService,
  newMcs: MultiClusterService,
): FieldError[] {
  if (sameSet(effectiveTypes(oldMcs.spec), effectiveTypes(newMcs.spec))) return [];
  return [invalid('spec.types', oldMcs.spec?.types ?? [], 'MultiClusterService types are immutable')];
}

/**
 * Structural equality of two JSON values. Iterative: a value nested a hundred thousand levels
 * deep (a body of a few hundred kilobytes) must not overflow the stack.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const pending: [unknown, unknown][] = [[a, b]];
  for (let pair = pending.pop(); pair; pair = pending.pop()) {
    const [x, y] = pair;
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    const kx = Object.keys(x);
    if (kx.length !== Object.keys(y).length) return false;
    for (const k of kx) {
      if (!Object.hasOwn(y, k)) return false;
      pending.push([(x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k]]);
    }
  }
  return true;
}

/**
 * Whether an UPDATE changes spec, as the user sees it: both specs are compared as our mutating
 * webhook leaves them, so its own conversions (the deprecated fields of an object stored under
 * Karmada, the default type) do not count as a change.
 */
export function specChanged(oldMcs: MultiClusterService, newMcs: MultiClusterService): boolean {
  return !jsonEqual(defaultedSpec(oldMcs.spec), defaultedSpec(newMcs.spec));
}

/**
 * Every error of an UPDATE. An unchanged spec is not checked again (ratcheting, as Kubernetes does
 * for CRD schemas): an object stored before a rule existed can still get its labels, finalizers
 * and deletion through, so the syncer's cleanup is never blocked by its old content.
 */
export function validateUpdate(oldMcs: MultiClusterService, newMcs: MultiClusterService): FieldError[] {
  const errors = validateTypesUnchanged(oldMcs, newMcs);
  if (!specChanged(oldMcs, newMcs)) return errors;
  return [...errors, ...validateSpec(newMcs.spec ?? {})];
}
