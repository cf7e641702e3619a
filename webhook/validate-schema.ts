/**
 * The JSON shape of a MultiClusterService, checked with ajv before any rule reads a field.
 *
 * The mutating webhook runs before the API server applies the CRD's schema, so it can be sent
 * any JSON; this check lets the rules trust the types they read. It is never stricter than
 * Karmada's CRD: unknown fields pass, and so do the optional ones set to null.
 */
import { Ajv, type ErrorObject } from 'ajv';
import { type FieldError, invalid, required, typeInvalid } from './field-errors.ts';

const nullableStringList = { type: 'array', nullable: true, items: { type: 'string' } } as const;
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
            properties: { name: { type: 'string', nullable: true }, port: { type: 'integer' } },
          },
        },
        providerClusters: clusterSelectorList,
        consumerClusters: clusterSelectorList,
        range: { type: 'object', nullable: true, properties: { clusterNames: nullableStringList } },
        serviceProvisionClusters: nullableStringList,
        serviceConsumptionClusters: nullableStringList,
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
  return invalid(field, value, e.message ?? e.keyword);
}

/** Compiles the schema once; the returned check is safe to share between requests. */
export function createShapeCheck(): ShapeCheck {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const check = ajv.compile(MULTI_CLUSTER_SERVICE_SCHEMA);
  return (object) => {
    if (check(object)) return [];
    return (check.errors ?? []).map((e) => toFieldError(object, e));
  };
}
