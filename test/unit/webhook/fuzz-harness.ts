/**
 * What the webhook's fuzz suites share: the app with the real handlers, a heap measured after a
 * full garbage collection, and running a property over the generated cases with the seed named
 * on failure.
 */
import { createSecureContext } from 'node:tls';
import v8 from 'node:v8';
import vm from 'node:vm';
import fc from 'fast-check';
import type { Logger } from 'pino';
import { Registry } from 'prom-client';
import { generateCertificates } from '../../../certs/generate.ts';
import { createMutateHandler } from '../../../webhook/admission/handle-mutate.ts';
import { createValidateHandler } from '../../../webhook/admission/handle-validate.ts';
import { type AppOptions, buildApp } from '../../../webhook/app.ts';
import { createWebhookMetrics } from '../../../webhook/metrics.ts';
import { createShapeCheck } from '../../../webhook/rules/validate-schema.ts';
import type { CertificatePair } from '../../../webhook/tls/cert-source.ts';
import { silentLogger } from './fixtures.ts';
import { type FuzzCase, fuzzCase } from './fuzz-inputs.ts';
import { type Answer, answerProblem, describeCase } from './fuzz-oracle.ts';

/** The webhook app with the real handlers (no API reads) and its metrics registry. */
export function fuzzApp(extra: Partial<AppOptions> & { logger?: Logger } = {}) {
  const shapeCheck = createShapeCheck();
  const registry = new Registry();
  let n = 0;
  const app = buildApp({
    logger: silentLogger(),
    metrics: createWebhookMetrics(registry),
    clock: { now: () => performance.now() },
    handlers: {
      validate: createValidateHandler({ shapeCheck }),
      mutate: createMutateHandler({ shapeCheck, newUuid: () => `uuid-${n++}` }),
    },
    ...extra,
  });
  return { app, registry };
}

const gc = (() => {
  // The test runner starts test files without --expose-gc; the flag can still be set at run time.
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/** Bytes of heap in use after full garbage collections. */
export function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Bytes as MiB with one decimal. */
export const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * Sends `runs` generated cases through `send` and checks each answer; rejects with the first
 * case that got a wrong answer (shrunk by fast-check), its answer and how to run it again.
 */
export async function fuzz(
  send: (c: FuzzCase) => Promise<Answer>,
  opts: { seed: number; runs: number },
): Promise<void> {
  const property = fc.asyncProperty(fuzzCase, async (c) => {
    const answer = await send(c);
    const problem = answerProblem(c, answer);
    if (problem) {
      throw new Error(
        `${problem}\n  sent: ${describeCase(c)}\n  got: HTTP ${answer.status} ${answer.body.slice(0, 300)}`,
      );
    }
  });
  try {
    await fc.assert(property, { seed: opts.seed, numRuns: opts.runs });
  } catch (err) {
    (err as Error).message += `\nRun these cases again with FUZZ_SEED=${opts.seed}.`;
    throw err;
  }
}

/** A CA and a serving certificate for 127.0.0.1 from our certs library, as the server takes it. */
export async function loopbackCertificate(): Promise<{ pair: CertificatePair; caCert: string }> {
  const bundle = await generateCertificates({
    service: 'webhook',
    namespace: 'fuzz',
    ips: ['127.0.0.1'],
    keyType: 'ecdsa',
    now: new Date(),
  });
  const pair: CertificatePair = {
    cert: bundle.cert,
    key: bundle.key,
    notAfter: new Date(Date.now() + 86_400_000),
    secureContext: createSecureContext({ cert: bundle.cert, key: bundle.key }),
  };
  return { pair, caCert: bundle.caCert };
}
