/**
 * Our two webhooks chained as the API server chains them, for the compatibility table.
 */
import type { AdmissionRequest, AdmissionResponse } from '../../../webhook/admission/admission-review.ts';
import { createMutateHandler } from '../../../webhook/admission/handle-mutate.ts';
import { createValidateHandler } from '../../../webhook/admission/handle-validate.ts';
import { createShapeCheck } from '../../../webhook/rules/validate-schema.ts';
import { applyPatch, uuids } from './fixtures.ts';
import { type CompatCase, type Decision, reviewOf } from './karmada-cases.ts';

const shapeCheck = createShapeCheck();
const mutate = createMutateHandler({ shapeCheck, newUuid: uuids('0b5e9d54-6a1e-4a5b-9f4c-1d2e3f4a5b6c') });
const validate = createValidateHandler({ shapeCheck });

/**
 * What our chain answers to a case: our mutating webhook, its patch applied, then our validating
 * webhook; the decision, and every warning and refusal on the way.
 */
export async function ourChain(
  c: CompatCase,
): Promise<{ decision: Decision; said: string[]; refusal?: string }> {
  const request = reviewOf(c, 'compat').request as AdmissionRequest;
  const said = (r: AdmissionResponse) => [
    ...(r.warnings ?? []),
    ...(r.status?.message ? [r.status.message] : []),
  ];
  const mutated = await mutate(request);
  if (!mutated.allowed) return { decision: 'refuses', said: said(mutated), refusal: mutated.status?.message };
  const patch = mutated.patch ? JSON.parse(Buffer.from(mutated.patch, 'base64').toString()) : [];
  const validated = await validate({ ...request, object: applyPatch(request.object, patch) });
  return {
    decision: validated.allowed ? 'accepts' : 'refuses',
    said: [...said(mutated), ...said(validated)],
    refusal: validated.status?.message,
  };
}
