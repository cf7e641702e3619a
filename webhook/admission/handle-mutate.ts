/**
 * The mutating webhook's decision: Handle(request) → response with a JSON Patch, no HTTP.
 */

import { clip } from '../go-render/field-errors.ts';
import { defaultMultiClusterService } from '../rules/mutate-defaults.ts';
import type { ShapeCheck } from '../rules/validate-schema.ts';
import { allowed, denied, errored, patched } from './admission-review.ts';
import {
  type AdmissionHandler,
  isBeingDeleted,
  isMultiClusterServiceWrite,
  objectOf,
} from './admission-scope.ts';

/** What the mutating handler needs: the compiled shape check and a UUID source. */
export interface MutateHandlerDeps {
  shapeCheck: ShapeCheck;
  newUuid: () => string;
}

/**
 * Builds the mutating handler. It runs before the API server checks the CRD schema, so an object
 * of the wrong shape is refused here, with every mismatch named, rather than patched blindly.
 */
export function createMutateHandler(deps: MutateHandlerDeps): AdmissionHandler {
  return async (request) => {
    const { uid } = request;
    if (!isMultiClusterServiceWrite(request)) return allowed(uid);
    const mcs = objectOf(request.object);
    if (!mcs) return errored(uid, 400, `${request.operation} request ${clip(uid)} carries no object`);
    const shapeErrors = deps.shapeCheck(mcs);
    if (shapeErrors.length > 0) return denied(uid, shapeErrors);
    if (isBeingDeleted(mcs)) return allowed(uid);
    const { patch, warnings } = defaultMultiClusterService(mcs, deps.newUuid);
    return patched(uid, patch, warnings);
  };
}
