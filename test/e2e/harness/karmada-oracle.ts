/**
 * Karmada v1.18.2's own MultiClusterService webhooks, run on AdmissionReviews by the Go program
 * test/go-oracle/karmada (`go run`: Go caches the built program, so only the first run of a
 * machine compiles Karmada, controller-runtime and client-go: minutes on two cores).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ORACLE_DIR = fileURLToPath(new URL('../../go-oracle/karmada/', import.meta.url));
/** Generous: only a hang should trip it. A cold build on a busy two-core machine took 24 minutes. */
export const KARMADA_ORACLE_TIMEOUT_MS = 45 * 60_000;

/** One AdmissionReview answer as Karmada's webhook server wrote it. */
export interface KarmadaReview {
  response: {
    uid: string;
    allowed: boolean;
    status?: { code?: number; message?: string; reason?: string };
    patch?: string;
  };
}

/** What Karmada's chain answered to one review. */
export interface KarmadaAnswer {
  mutateStatus: number;
  mutate: KarmadaReview;
  /** The object after Karmada's patch; absent when the mutating webhook refused. */
  mutated?: Record<string, unknown>;
  validateStatus?: number;
  validate?: KarmadaReview;
}

/** The chain's decision: both webhooks allowed it. */
export function karmadaAccepts(answer: KarmadaAnswer): boolean {
  return answer.mutate.response.allowed && answer.validate?.response.allowed === true;
}

/** The message of the refusal that ended Karmada's chain, if any. */
export function karmadaRefusal(answer: KarmadaAnswer): string | undefined {
  if (!answer.mutate.response.allowed) return answer.mutate.response.status?.message;
  return answer.validate?.response.allowed === false ? answer.validate.response.status?.message : undefined;
}

/**
 * Sends raw AdmissionReview bodies (JSON texts, sent byte for byte: a port literal such as 80.0
 * reaches Karmada as written) through Karmada's mutating webhook, its patch, then its validating
 * webhook. Rejects with the program's stderr if it fails.
 */
export function askKarmada(bodies: readonly string[]): Promise<KarmadaAnswer[]> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'go',
      ['run', '.'],
      {
        cwd: ORACLE_DIR,
        timeout: KARMADA_ORACLE_TIMEOUT_MS,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=readonly' },
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`Karmada's webhooks (go run in ${ORACLE_DIR}): ${err.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as KarmadaAnswer[]);
      },
    );
    child.stdin?.end(`[${bodies.join(',')}]`);
  });
}
