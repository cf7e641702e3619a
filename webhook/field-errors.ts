/**
 * Field errors in the form Kubernetes prints them (k8s.io/apimachinery/pkg/util/validation/field),
 * so a refusal reads `spec.ports[1].name: Duplicate value: "http"` as it would from Karmada.
 */

/** The machine-readable cause of a field error, as in a Kubernetes Status cause. */
export type FieldErrorType =
  | 'FieldValueInvalid'
  | 'FieldValueDuplicate'
  | 'FieldValueRequired'
  | 'FieldValueTypeInvalid'
  | 'FieldValueForbidden';

/** One problem with one field of an object. */
export interface FieldError {
  type: FieldErrorType;
  /** The path in Kubernetes notation: `spec.ports[0].port`. */
  field: string;
  /** The offending value; omitted for Required and Forbidden. */
  value?: unknown;
  detail?: string;
}

/** Joins path segments into a Kubernetes field path: `['spec', 'ports', 0]` → `spec.ports[0]`. */
export function fieldPath(...segments: readonly (string | number)[]): string {
  let path = '';
  for (const segment of segments) {
    if (typeof segment === 'number') path += `[${segment}]`;
    else path += path === '' ? segment : `.${segment}`;
  }
  return path;
}

/** The value is wrong for the reason given in detail. */
export function invalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail };
}

/** The value repeats one that must be unique. */
export function duplicate(field: string, value: unknown): FieldError {
  return { type: 'FieldValueDuplicate', field, value };
}

/** The field must be set. */
export function required(field: string, detail = ''): FieldError {
  return { type: 'FieldValueRequired', field, detail };
}

/** The value is not of the JSON type the schema requires. */
export function typeInvalid(field: string, value: unknown, detail: string): FieldError {
  return { type: 'FieldValueTypeInvalid', field, value, detail };
}

const TYPE_WORDS: Record<FieldErrorType, string> = {
  FieldValueInvalid: 'Invalid value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueRequired: 'Required value',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueForbidden: 'Forbidden',
};

/** Renders a bad value as apimachinery does: numbers and booleans bare, everything else as JSON. */
function renderValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === undefined) return 'null';
  return JSON.stringify(value) ?? 'null';
}

/** The error without its field: `Invalid value: 0: must be between 1 and 65535, inclusive`. */
export function errorBody(error: FieldError): string {
  let body = TYPE_WORDS[error.type];
  if (error.type !== 'FieldValueRequired' && error.type !== 'FieldValueForbidden') {
    body += `: ${renderValue(error.value)}`;
  }
  if (error.detail) body += `: ${error.detail}`;
  return body;
}

/** The whole error: `spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`. */
export function formatFieldError(error: FieldError): string {
  return `${error.field}: ${errorBody(error)}`;
}

/**
 * Joins errors the way apimachinery's aggregate does (duplicates removed; one error bare, several in
 * brackets, comma-separated), which is what Karmada's webhook returns and kubectl prints.
 */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const messages = [...new Set(errors.map(formatFieldError))];
  if (messages.length <= 1) return messages[0] ?? '';
  return `[${messages.join(', ')}]`;
}
