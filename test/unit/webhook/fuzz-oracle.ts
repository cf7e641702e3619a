/**
 * What every answer of the webhook must be, whatever it was sent: within the API server's
 * timeout, either a well-formed AdmissionReview that echoes the uid, or a 4xx with a message.
 * Never a 5xx, never an answer out of proportion to the question.
 */
import { readFileSync } from 'node:fs';
import { MAX_WARNINGS } from '../../../webhook/admission/admission-review.ts';
import type { FuzzCase } from './fuzz-inputs.ts';

/** The API server's timeout for one webhook call, as the chart sets it (`webhook.timeoutSeconds`). */
export const ANSWER_DEADLINE_MS = (() => {
  const values = readFileSync(new URL('../../../charts/mcs-bridge/values.yaml', import.meta.url), 'utf8');
  const seconds = /^\s+timeoutSeconds:\s*(\d+)/m.exec(values)?.[1];
  if (!seconds) throw new Error('charts/mcs-bridge/values.yaml has no webhook.timeoutSeconds');
  return Number(seconds) * 1000;
})();

/** An answer as the fuzzer saw it. */
export interface Answer {
  status: number;
  body: string;
  ms: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The review the webhook should have read from a body, if the body is one (as the server decodes it). */
function sentReview(c: FuzzCase): Record<string, unknown> | undefined {
  const text = typeof c.body === 'string' ? c.body : c.body.toString('utf8');
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function reviewProblem(c: FuzzCase, body: unknown): string | undefined {
  const sent = sentReview(c);
  const request = sent && isRecord(sent.request) ? sent.request : undefined;
  if (!sent || !request || typeof request.uid !== 'string')
    return 'a 200 for a body that is no AdmissionReview';
  if (!isRecord(body) || body.kind !== 'AdmissionReview') return 'a 200 that is not an AdmissionReview';
  if (body.apiVersion !== sent.apiVersion)
    return `apiVersion ${String(body.apiVersion)} is not the one asked in`;
  const response = body.response;
  if (!isRecord(response)) return 'an AdmissionReview without a response';
  if (response.uid !== request.uid) return 'the uid is not echoed';
  if (typeof response.allowed !== 'boolean') return 'allowed is not a boolean';
  if (!response.allowed) {
    const status = isRecord(response.status) ? response.status : {};
    if (status.code !== 400 && status.code !== 403) return `refused with code ${String(status.code)}`;
    if (typeof status.message !== 'string' || status.message === '') return 'refused without a message';
  }
  if (response.patch !== undefined) {
    if (response.patchType !== 'JSONPatch') return 'a patch without patchType JSONPatch';
    const ops: unknown = JSON.parse(Buffer.from(String(response.patch), 'base64').toString('utf8'));
    const fine = (op: unknown) =>
      isRecord(op) && (op.op === 'add' || op.op === 'remove') && String(op.path).startsWith('/');
    if (!Array.isArray(ops) || ops.length === 0 || !ops.every(fine))
      return 'a patch that is not a JSON Patch';
  }
  const warnings = response.warnings;
  if (warnings !== undefined) {
    if (!Array.isArray(warnings) || !warnings.every((w) => typeof w === 'string')) return 'bad warnings';
    if (warnings.length > MAX_WARNINGS + 1) return `${warnings.length} warnings`;
  }
  return undefined;
}

/** Why the answer to a case is wrong, or undefined when it is right. */
export function answerProblem(c: FuzzCase, answer: Answer): string | undefined {
  if (answer.ms > ANSWER_DEADLINE_MS) return `answered after ${answer.ms} ms`;
  const sent = sentReview(c);
  const uid = isRecord(sent?.request) ? sent.request.uid : undefined;
  // The uid is echoed (it may be long); everything else is bounded.
  const limit = 64 * 1024 + (typeof uid === 'string' ? 2 * uid.length : 0);
  if (answer.body.length > limit) return `an answer of ${answer.body.length} characters`;
  let body: unknown;
  try {
    body = JSON.parse(answer.body);
  } catch {
    return `HTTP ${answer.status} with a body that is not JSON`;
  }
  if (answer.status === 200) return reviewProblem(c, body);
  if (answer.status >= 400 && answer.status < 500) {
    return isRecord(body) && typeof body.message === 'string' && body.message !== ''
      ? undefined
      : `HTTP ${answer.status} without a message`;
  }
  return `HTTP ${answer.status}`;
}

/** A case described for a failure message: the body cut to a readable length. */
export function describeCase(c: FuzzCase): string {
  const text = typeof c.body === 'string' ? c.body : `<bytes ${c.body.toString('hex')}>`;
  const shown = text.length > 300 ? `${text.slice(0, 300)}... (${text.length} characters)` : text;
  return `POST ${c.url} (Content-Type ${c.contentType ?? 'none'}): ${shown}`;
}
