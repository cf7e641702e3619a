/**
 * The validating webhook's decision: Handle(request) → response, no HTTP.
 */

import { clip, type FieldError } from '../go-render/field-errors.ts';
import { type Lookups, lookupWarnings } from '../lookups/lookups.ts';
import { specChanged, validateCreate, validateUpdate } from '../rules/validate-rules.ts';
import type { ShapeCheck } from '../rules/validate-schema.ts';
import { objectWarnings } from '../rules/validate-warnings.ts';
import { allowed, denied, errored } from './admission-review.ts';
import {
  type AdmissionHandler,
  isBeingDeleted,
  isMultiClusterServiceWrite,
  objectOf,
} from './admission-scope.ts';

/** What the validating handler needs: the compiled shape check and, optionally, API reads. */
export interface ValidateHandlerDeps {
  shapeCheck: ShapeCheck;
  lookups?: Lookups;
}

/**
 * Builds the validating handler: shape first, then Karmada's rules (all errors at once), then
 * warnings. An UPDATE that leaves spec as it was is only checked for a change of types.
 */
export function createValidateHandler(deps: ValidateHandlerDeps): AdmissionHandler {
  return async (request) => {
    const { uid } = request;
    if (!isMultiClusterServiceWrite(request)) return allowed(uid);
    const mcs = objectOf(request.object);
    if (!mcs) return errored(uid, 400, `${request.operation} request ${clip(uid)} carries no object`);
    const shapeErrors = deps.shapeCheck(mcs);
    if (shapeErrors.length > 0) return denied(uid, shapeErrors);

    let changed = true;
    let errors: FieldError[];
    if (request.operation === 'UPDATE') {
      if (isBeingDeleted(mcs)) return allowed(uid);
      const old = objectOf(request.oldObject);
      if (!old || deps.shapeCheck(old).length > 0) {
        return errored(uid, 400, `UPDATE request ${clip(uid)} carries no valid oldObject`);
      }
      changed = specChanged(old, mcs);
      errors = validateUpdate(old, mcs);
    } else {
      errors = validateCreate(mcs);
    }
    // Warnings are for the author of a change, not for every finalizer or label update.
    const warnings = changed ? objectWarnings(mcs) : [];
    if (errors.length > 0) return denied(uid, errors, warnings);
    if (changed && deps.lookups) {
      const namespace = request.namespace ?? mcs.metadata?.namespace ?? '';
      warnings.push(...(await lookupWarnings(mcs, namespace, deps.lookups)));
    }
    return allowed(uid, warnings);
  };
}
