/**
 * The JSON shape of a MultiClusterService, checked with ajv before any rule reads a field.
 *
 * The mutating webhook runs before the API server applies the CRD's schema, so it can be sent
 * any JSON; this check lets the rules trust the types they read. It is never stricter than
 * Karmada's CRD: unknown fields pass, and so do the optional ones set to null.
 */
import { Ajv, type ErrorObject } from 'ajv';
import {
  type FieldError,
  invalid,
  MAX_LISTED_ERRORS,
  required,
  typeInvalid,
} from '../go-render/field-errors.ts';

const nullableStringList = { type: 'array', nullable: true, items: { type: 'string' } } as const;
/**
 * A deprecated list of cluster names: its entries may be null too. Karmada's webhook decodes a
 * null entry as "" and accepts it (it never validates these fields), so refusing it here would
 * refuse what Karmada accepts; the mutating webhook leaves it out instead.
 */
const deprecatedNameList = {
  type: 'array',
  nullable: true,
  items: { type: 'string', nullable: true },
} as const;
const clusterSelectorList = {
  type: 'array',
  nullable: true,
  items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
} as const;

/** The schema, following charts/mcs-bridge/crds (and Karmada's CRD) field by field. */
export const MULTI_CLUSTER_SERVICE_SCHEMA = {
  type: 'object',
  properties: {
    metadata: {
      type: 'object',
      nullable: true,
      properties: {
        name: { type: 'string', nullable: true },
        generateName: { type: 'string', nullable: true },
        namespace: { type: 'string', nullable: true },
        labels: { type: 'object', nullable: true, additionalProperties: { type: 'string' } },
        deletionTimestamp: { type: 'string', nullable: true },
      },
    },
    spec: {
      type: 'object',
      nullable: true,
      properties: {
        types: nullableStringList,
        ports: {
          type: 'array',
          nullable: true,
          items: {
            type: 'object',
            required: ['port'],
            properties: {
              name: { type: 'string', nullable: true },
              port: { type: 'integer', format: 'int32' },
            },
          },
        },
        providerClusters: clusterSelectorList,
        consumerClusters: clusterSelectorList,
        range: { type: 'object', nullable: true, properties: { clusterNames: deprecatedNameList } },
        serviceProvisionClusters: deprecatedNameList,
        serviceConsumptionClusters: deprecatedNameList,
      },
    },
  },
} as const;

/** Checks the shape of an object; returns every mismatch as a field error (empty when it fits). */
export type ShapeCheck = (object: unknown) => FieldError[];

/** Turns an ajv instance path (`/spec/ports/0`) and an optional child into a field path. */
function toFieldPath(instancePath: string, child?: string): string {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  if (child !== undefined) segments.push(child);
  let path = '';
  for (const s of segments) path += /^\d+$/.test(s) ? `[${s}]` : path === '' ? s : `.${s}`;
  return path || '<root>';
}

/** Reads the value at an ajv instance path. */
function valueAt(root: unknown, instancePath: string): unknown {
  let value = root;
  for (const raw of instancePath.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return value;
}

/**
 * The range of `format: int32`. The API server does not enforce it (kube-openapi checks only that
 * the value is an integer), but Karmada's Go types hold an int32: its webhook refuses a larger
 * port with a decoding error, and its controllers could not read the object back.
 */
const INT32 = { min: -(2 ** 31), max: 2 ** 31 - 1 };
const INT32_DETAIL = `must be a 32-bit integer (format int32: ${INT32.min} to ${INT32.max})`;

function toFieldError(root: unknown, e: ErrorObject): FieldError {
  if (e.keyword === 'required') {
    const missing = String((e.params as { missingProperty: string }).missingProperty);
    return required(toFieldPath(e.instancePath, missing));
  }
  const field = toFieldPath(e.instancePath);
  const value = valueAt(root, e.instancePath);
  if (e.keyword === 'type') {
    return typeInvalid(field, value, `must be of type ${(e.params as { type: string }).type}`);
  }
  if (e.keyword === 'format' && (e.params as { format: string }).format === 'int32') {
    return invalid(field, value, INT32_DETAIL);
  }
  return invalid(field, value, e.message ?? e.keyword);
}

/**
 * A copy of value, down to the depth the schema reads, with every list and map cut to one entry
 * more than {@link MAX_LISTED_ERRORS} (so that there being more shows): ajv collecting every error of a list of millions of wrong
 * values takes seconds, and only the first few are ever shown.
 */
function boundedView(value: unknown, depth = 6): unknown {
  if (depth === 0 || typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value))
    return value.slice(0, MAX_LISTED_ERRORS + 1).map((v) => boundedView(v, depth - 1));
  const view: Record<string, unknown> = {};
  let kept = 0;
  for (const key in value) {
    if (!Object.hasOwn(value, key)) continue;
    if (kept++ > MAX_LISTED_ERRORS) break;
    view[key] = boundedView((value as Record<string, unknown>)[key], depth - 1);
  }
  return view;
}

/**
 * Compiles the schema once; the returned check is safe to share between requests. A fitting
 * object costs one pass that stops at the first mismatch; an object that does not fit is checked
 * again for all its errors, on a bounded view of it (or, should every error lie past that view,
 * reported with the first one).
 */
export function createShapeCheck(): ShapeCheck {
  const compile = (allErrors: boolean) => {
    const ajv = new Ajv({ strict: true, allErrors });
    ajv.addFormat('int32', { type: 'number', validate: (n: number) => n >= INT32.min && n <= INT32.max });
    return ajv.compile(MULTI_CLUSTER_SERVICE_SCHEMA);
  };
  const checkFirst = compile(false);
  const checkAll = compile(true);
  return (object) => {
    if (checkFirst(object)) return [];
    const first = checkFirst.errors ?? [];
    const all = checkAll(boundedView(object)) ? [] : (checkAll.errors ?? []);
    return (all.length > 0 ? all : first).map((e) => toFieldError(object, e));
  };
}
