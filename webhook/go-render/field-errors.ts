/**
 * Field errors in the form Kubernetes prints them (k8s.io/apimachinery/pkg/util/validation/field),
 * so a refusal reads `spec.ports[1].name: Duplicate value: "http"` as it would from Karmada.
 */
import { goJson, goNumber } from './go-json.ts';
import { goQuote } from './go-quote.ts';

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
  /**
   * `json` when the Go value is of a named type apimachinery cannot print plainly, such as
   * Karmada's ExposureType (a named string): field.Error then writes it with json.Marshal, so
   * `<LB>` shows as "\u003cLB\u003e" where a plain string shows "<LB>".
   */
  rendering?: 'json';
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
export function invalid(field: string, value: unknown, detail: string, rendering?: 'json'): FieldError {
  return { type: 'FieldValueInvalid', field, value, detail, ...(rendering ? { rendering } : {}) };
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

/** Longest rendering of a value in a message; the rest is elided (bodies may be megabytes). */
export const MAX_VALUE_CHARACTERS = 256;
/** Most errors listed in one message and its causes; the rest are counted. */
export const MAX_LISTED_ERRORS = 50;

/** Text for a message or a log line, cut to `max` characters (a uid or a name may be megabytes). */
export function clip(text: string, max = 64): string {
  return text.length <= max ? text : `${text.slice(0, max)}... (${text.length} characters)`;
}

/**
 * A value as JSON for a message, at most `max` characters: a longer one is cut and says how
 * long it was. Never throws: a value nested too deeply for JSON.stringify is described instead.
 */
export function previewJson(value: unknown, max = MAX_VALUE_CHARACTERS): string {
  let json: string;
  try {
    json = JSON.stringify(value) ?? 'null';
  } catch {
    return Array.isArray(value) ? '<a deeply nested array>' : '<a deeply nested object>';
  }
  return clip(json, max);
}

/**
 * Renders a bad value as apimachinery's field.Error does (errors.go, ErrorBody), by the type of
 * the Go value the API server decoded: numbers and booleans with `%v`, a string with `%q`, and
 * anything else with json.Marshal. At most {@link MAX_VALUE_CHARACTERS} characters are shown.
 */
export function renderValue(value: unknown, rendering?: 'json'): string {
  if (rendering === 'json') return renderJson(value);
  if (typeof value === 'number') return goNumber(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return clip(goQuote(value), MAX_VALUE_CHARACTERS);
  return renderJson(value);
}

/** A value as json.Marshal writes it, at most {@link MAX_VALUE_CHARACTERS} characters. */
function renderJson(value: unknown): string {
  const { text, complete } = goJson(value, MAX_VALUE_CHARACTERS);
  if (complete) return clip(text, MAX_VALUE_CHARACTERS);
  return `${text.slice(0, MAX_VALUE_CHARACTERS)}... (more than ${MAX_VALUE_CHARACTERS} characters)`;
}

/** The error without its field: `Invalid value: 0: must be between 1 and 65535, inclusive`. */
export function errorBody(error: FieldError): string {
  let body = TYPE_WORDS[error.type];
  if (error.type !== 'FieldValueRequired' && error.type !== 'FieldValueForbidden') {
    body += `: ${renderValue(error.value, error.rendering)}`;
  }
  if (error.detail) body += `: ${error.detail}`;
  return body;
}

/** The whole error: `spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`. */
export function formatFieldError(error: FieldError): string {
  return `${error.field}: ${errorBody(error)}`;
}

/**
 * The errors worth listing: the first {@link MAX_LISTED_ERRORS}, and whether there were more. A
 * request of a few megabytes can hold millions of wrong values; listing them all would take
 * seconds and answer with hundreds of megabytes. Checks may stop looking once past the limit,
 * so how many more there are is not known.
 */
export function listedErrors(errors: readonly FieldError[]): { listed: FieldError[]; truncated: boolean } {
  return { listed: errors.slice(0, MAX_LISTED_ERRORS), truncated: errors.length > MAX_LISTED_ERRORS };
}

/** True once a check has found more errors than are listed: it may stop looking. */
export function enoughErrors(errors: readonly FieldError[]): boolean {
  return errors.length > MAX_LISTED_ERRORS;
}

/**
 * Joins errors the way apimachinery's aggregate does (duplicates removed; one error bare, several in
 * brackets, comma-separated), which is what Karmada's webhook returns and kubectl prints. Past
 * {@link MAX_LISTED_ERRORS}, the message says there are more.
 */
export function aggregateMessage(errors: readonly FieldError[]): string {
  const { listed, truncated } = listedErrors(errors);
  const messages = [...new Set(listed.map(formatFieldError))];
  if (truncated) messages.push(`and more errors (only the first ${MAX_LISTED_ERRORS} are listed)`);
  if (messages.length <= 1) return messages[0] ?? '';
  return `[${messages.join(', ')}]`;
}
