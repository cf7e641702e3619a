/**
 * Karmada v1.18.2's own MultiClusterService webhooks (its code, run by test/go-oracle/karmada)
 * beside ours on the compatibility table of test/unit/webhook/karmada-cases.ts: the table's
 * `karmada` column must be what Karmada's code answers, and ours must never refuse what Karmada
 * accepts. No cluster is needed; it runs with the end-to-end suites because building Karmada's
 * code takes minutes on a fresh machine.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { COMPAT_CASES, reviewOf } from '../unit/webhook/karmada-cases.ts';
import { ourChain } from '../unit/webhook/our-chain.ts';
import {
  askKarmada,
  KARMADA_ORACLE_TIMEOUT_MS,
  type KarmadaAnswer,
  karmadaAccepts,
  karmadaRefusal,
} from './harness/karmada-oracle.ts';

describe("Karmada's own webhooks beside ours", () => {
  let answers: KarmadaAnswer[] = [];

  before(
    async () => {
      answers = await askKarmada(COMPAT_CASES.map((c, i) => JSON.stringify(reviewOf(c, `case-${i}`))));
      assert.equal(answers.length, COMPAT_CASES.length);
    },
    { timeout: KARMADA_ORACLE_TIMEOUT_MS + 60_000 },
  );

  for (const [i, c] of COMPAT_CASES.entries()) {
    it(c.name, async () => {
      const answer = answers[i];
      assert.ok(answer, 'Karmada answered');
      assert.equal(answer.mutate.response.uid, `case-${i}`);
      const karmada = karmadaAccepts(answer) ? 'accepts' : 'refuses';
      assert.equal(karmada, c.karmada, `Karmada: ${karmadaRefusal(answer) ?? 'allowed'}`);
      if (c.message) assert.equal(karmadaRefusal(answer), c.message, "Karmada's words");
      const ours = await ourChain(c);
      assert.equal(ours.decision, c.ours, ours.said.join('\n'));
      if (c.message) assert.equal(ours.refusal, c.message, 'our words');
    });
  }
});
