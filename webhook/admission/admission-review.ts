/**
 * AdmissionReview (`admission.k8s.io/v1`) as JSON: reading a request body, and building the
 * responses. No HTTP here: the routes call these.
 */
import {
  aggregateMessage,
  clip,
  errorBody,
  type FieldError,
  listedErrors,
  previewJson,
} from '../go-render/field-errors.ts';
import type { JsonPatchOperation } from './json-patch.ts';

/** The AdmissionReview versions accepted; the answer uses the version of the question. */
export const ADMISSION_VERSIONS = ['admission.k8s.io/v1', 'admission.k8s.io/v1beta1'] as const;

/** A group/version/kind as in `request.kind`. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The request of an AdmissionReview (the fields the webhook reads). */
export interface AdmissionRequest {
  uid: string;
  kind: GroupVersionKind;
  subResource?: string;
  name?: string;
  namespace?: string;
  operation: string;
  object?: unknown;
  oldObject?: unknown;
  dryRun?: boolean;
}

/** A Kubernetes metav1.Status, as carried in a refused AdmissionResponse. */
export interface Status {
  status: 'Failure';
  code: number;
  reason: string;
  message: string;
  details?: { causes: { reason: string; field: string; message: string }[] };
}

/** The response of an AdmissionReview. */
export interface AdmissionResponse {
  uid: string;
  allowed: boolean;
  status?: Status;
  patchType?: 'JSONPatch';
  /** Base64 of the JSON Patch. */
  patch?: string;
  warnings?: string[];
}

/** A whole AdmissionReview answer. */
export interface AdmissionReviewResponse {
  apiVersion: string;
  kind: 'AdmissionReview';
  response: AdmissionResponse;
}

/** A request body that was read: the review's version and its request, or why it is unusable. */
export type ParsedReview =
  | { ok: true; apiVersion: string; request: AdmissionRequest }
  | { ok: false; message: string };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === undefined ? 'missing' : previewJson(value, 64);
}

/** The optional fields of a request that must be strings when present (null counts as absent). */
const OPTIONAL_STRINGS = ['name', 'namespace', 'subResource'] as const;

/** Why a request's optional fields cannot be read, or undefined when they can. */
function optionalFieldProblem(request: Record<string, unknown>): string | undefined {
  for (const field of OPTIONAL_STRINGS) {
    const value = request[field];
    if (value !== undefined && value !== null && typeof value !== 'string')
      return `its ${field} is not a string`;
  }
  const { dryRun } = request;
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean')
    return 'its dryRun is not a boolean';
  return undefined;
}

/** Checks that a parsed body is an AdmissionReview with a usable request. */
export function readAdmissionReview(body: unknown): ParsedReview {
  if (!isRecord(body))
    return { ok: false, message: 'request body is not an AdmissionReview: not a JSON object' };
  const { apiVersion, kind, request } = body;
  if (kind !== 'AdmissionReview') {
    return { ok: false, message: `request body is not an AdmissionReview: kind is ${describe(kind)}` };
  }
  if (typeof apiVersion !== 'string' || !(ADMISSION_VERSIONS as readonly string[]).includes(apiVersion)) {
    return {
      ok: false,
      message: `AdmissionReview apiVersion ${describe(apiVersion)} is not supported: use ${ADMISSION_VERSIONS.join(' or ')}`,
    };
  }
  if (!isRecord(request)) return { ok: false, message: 'AdmissionReview has no request' };
  if (typeof request.uid !== 'string' || request.uid === '') {
    return { ok: false, message: 'AdmissionReview request has no uid' };
  }
  if (typeof request.operation !== 'string') {
    return { ok: false, message: `AdmissionReview request ${clip(request.uid)} has no operation` };
  }
  const gvk = request.kind;
  if (!isRecord(gvk) || typeof gvk.group !== 'string' || typeof gvk.kind !== 'string') {
    return { ok: false, message: `AdmissionReview request ${clip(request.uid)} has no kind` };
  }
  // As controller-runtime, which decodes into typed fields: a field of the wrong type is a bad request.
  const problem = optionalFieldProblem(request);
  if (problem) {
    return { ok: false, message: `AdmissionReview request ${clip(request.uid)} is malformed: ${problem}` };
  }
  return { ok: true, apiVersion, request: request as unknown as AdmissionRequest };
}

/** Parses a raw body; non-JSON is reported with the parser's reason. */
export function parseAdmissionReview(raw: string): ParsedReview {
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch (err) {
    return { ok: false, message: `request body is not JSON: ${(err as Error).message}` };
  }
  return readAdmissionReview(body);
}

/** Wraps a response in an AdmissionReview of the given version. */
export function reviewOf(apiVersion: string, response: AdmissionResponse): AdmissionReviewResponse {
  return { apiVersion, kind: 'AdmissionReview', response };
}

/**
 * Most warnings sent back, and the longest one: the API server keeps only about 4 KiB of
 * warnings anyway, and a list of thousands of unknown clusters must not answer with megabytes.
 */
export const MAX_WARNINGS = 20;
const MAX_WARNING_CHARACTERS = 512;

function withWarnings(response: AdmissionResponse, warnings: readonly string[]): AdmissionResponse {
  if (warnings.length === 0) return response;
  const kept = warnings.slice(0, MAX_WARNINGS).map((w) => clip(w, MAX_WARNING_CHARACTERS));
  const more = warnings.length - kept.length;
  if (more > 0) kept.push(`and ${more} more ${more === 1 ? 'warning' : 'warnings'}`);
  return { ...response, warnings: kept };
}

/** Lets the request through unchanged. */
export function allowed(uid: string, warnings: readonly string[] = []): AdmissionResponse {
  return withWarnings({ uid, allowed: true }, warnings);
}

/** Refuses the request for the given field errors, all listed (HTTP 403 Forbidden, as Karmada). */
export function denied(
  uid: string,
  errors: readonly FieldError[],
  warnings: readonly string[] = [],
): AdmissionResponse {
  const status: Status = {
    status: 'Failure',
    code: 403,
    reason: 'Forbidden',
    message: aggregateMessage(errors),
    details: {
      causes: listedErrors(errors).listed.map((e) => ({
        reason: e.type,
        field: e.field,
        message: errorBody(e),
      })),
    },
  };
  return withWarnings({ uid, allowed: false, status }, warnings);
}

/** Refuses the request because it could not be handled (400: its content; 500: our failure). */
export function errored(uid: string, code: 400 | 500, message: string): AdmissionResponse {
  const reason = code === 400 ? 'BadRequest' : 'InternalError';
  return { uid, allowed: false, status: { status: 'Failure', code, reason, message } };
}

/** Lets the request through with a JSON Patch; no patch at all when there is nothing to change. */
export function patched(
  uid: string,
  patch: readonly JsonPatchOperation[],
  warnings: readonly string[] = [],
): AdmissionResponse {
  if (patch.length === 0) return allowed(uid, warnings);
  const encoded = Buffer.from(JSON.stringify(patch)).toString('base64');
  return withWarnings({ uid, allowed: true, patchType: 'JSONPatch', patch: encoded }, warnings);
}
