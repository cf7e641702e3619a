/**
 * Which admission requests the webhook judges, shared by the validating and mutating handlers.
 */

import { MCS_GROUP, MCS_KIND, type MultiClusterService } from '../api.ts';
import type { AdmissionRequest, AdmissionResponse } from './admission-review.ts';

/** Turns an AdmissionRequest into its answer. Pure of HTTP; may await optional API reads. */
export type AdmissionHandler = (request: AdmissionRequest) => Promise<AdmissionResponse>;

/**
 * True for a CREATE or UPDATE of a MultiClusterService itself. Anything else (another kind, a
 * subresource such as status, DELETE, CONNECT) is allowed untouched.
 */
export function isMultiClusterServiceWrite(request: AdmissionRequest): boolean {
  return (
    request.kind.group === MCS_GROUP &&
    request.kind.kind === MCS_KIND &&
    !request.subResource &&
    (request.operation === 'CREATE' || request.operation === 'UPDATE')
  );
}

/** The request's object if it is a JSON object (its shape is checked separately). */
export function objectOf(value: unknown): MultiClusterService | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as MultiClusterService)
    : undefined;
}

/** True once the object is being deleted: only finalizers can still change, and must get through. */
export function isBeingDeleted(mcs: MultiClusterService): boolean {
  return Boolean(mcs.metadata?.deletionTimestamp);
}
