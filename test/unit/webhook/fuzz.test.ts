/**
 * The webhook under a fuzzer, in process (app.inject, no socket): at least 10,000 generated
 * requests per run, each answered within the API server's timeout with an AdmissionReview that
 * echoes the uid, or a 4xx with a message; the heap after garbage collection is the same before
 * and after. FUZZ_SEED varies the cases, FUZZ_SCALE their number (see fuzz-inputs.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reliabilityCase } from '../../reliability/case.ts';
import { fuzz, fuzzApp, heapAfterGc, mib } from './fuzz-harness.ts';
import { type FuzzCase, fuzzRuns, fuzzSeed } from './fuzz-inputs.ts';
import type { Answer } from './fuzz-oracle.ts';

/** Heap growth allowed over the measured run: generous, but far below one leaked body per request. */
const HEAP_GROWTH_LIMIT = 16 * 2 ** 20;

describe('the webhook under a fuzzer, in process', () => {
  it('answers every generated request in time with an AdmissionReview echoing the uid or a 4xx with a message, on a flat heap', {
    timeout: 300_000,
  }, async () => {
    const tag = reliabilityCase(
      'Bad input',
      'Webhook fuzzed in process (app.inject)',
      'Generated AdmissionReviews and raw bodies (truncated JSON, wrong types, huge strings, deep nesting, unicode, odd or missing uid, wrong apiVersion/kind, other kinds, valid-looking MCS with random fields): no crash or 5xx, every answer within the chart timeout, an AdmissionReview echoing the uid or a 4xx with a message; heap after GC flat',
    );
    const { app, registry } = fuzzApp();
    const send = async (c: FuzzCase): Promise<Answer> => {
      const started = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: c.url,
        payload: c.body,
        headers: c.contentType === undefined ? {} : { 'content-type': c.contentType },
      });
      return { status: res.statusCode, body: res.body, ms: performance.now() - started };
    };
    const seed = fuzzSeed();
    const runs = fuzzRuns(10_000);
    // A warm-up first: compiled code, caches and the metrics' label sets are not leaks.
    await fuzz(send, { seed: seed + 1, runs: 1_000 });
    const before = heapAfterGc();
    const started = performance.now();
    await fuzz(send, { seed, runs });
    const seconds = (performance.now() - started) / 1000;
    const after = heapAfterGc();
    await app.close();
    tag.figures = `${runs.toLocaleString('en')} cases (seed ${seed}) in ${seconds.toFixed(1)} s; heap ${mib(before)} → ${mib(after)} after GC`;

    assert.ok(
      after - before < HEAP_GROWTH_LIMIT,
      `the heap grew from ${mib(before)} to ${mib(after)} over ${runs} requests`,
    );
    const series = (await registry.getSingleMetric('mcs_bridge_webhook_requests_total')?.get())?.values ?? [];
    assert.ok(series.length <= 2 * 5 * 5, `${series.length} request series: label values must stay bounded`);
  });
});
