/**
 * Our webhooks on the compatibility table (karmada-cases.ts): each write through our mutating
 * webhook, its patch applied, then our validating webhook, as the API server chains them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPAT_CASES } from './karmada-cases.ts';
import { ourChain } from './our-chain.ts';

describe('compatibility with Karmada’s webhooks: our decisions', () => {
  for (const c of COMPAT_CASES) {
    it(c.name, async () => {
      const { decision, said, refusal } = await ourChain(c);
      assert.equal(decision, c.ours, said.join('\n'));
      if (c.message) assert.equal(refusal, c.message);
    });
  }

  it('never refuses what Karmada accepts', () => {
    const refused = COMPAT_CASES.filter((c) => c.karmada === 'accepts' && c.ours === 'refuses');
    assert.deepEqual(
      refused.map((c) => c.name),
      [],
    );
  });

  it('says why wherever it accepts what Karmada refuses', () => {
    const unexplained = COMPAT_CASES.filter((c) => c.karmada !== c.ours && !c.difference);
    assert.deepEqual(
      unexplained.map((c) => c.name),
      [],
    );
  });

  it('warns, naming the field and the value, about each deprecated name it leaves out', async () => {
    const label = COMPAT_CASES.find((c) =>
      c.name.startsWith('a label-only UPDATE of an MCS stored with bad names'),
    );
    assert.ok(label);
    const { said } = await ourChain(label);
    const fortyNine = `"${'a'.repeat(49)}"`;
    assert.ok(
      said.some((w) =>
        w.startsWith(`spec.serviceConsumptionClusters[0]: "Member2" cannot be a cluster's name`),
      ),
      said.join('\n'),
    );
    assert.ok(
      said.some((w) =>
        w.startsWith(
          `spec.range.clusterNames[0]: ${fortyNine} cannot be a cluster's name (must be no more than 48 characters)`,
        ),
      ),
      said.join('\n'),
    );
    assert.ok(
      said.some((w) =>
        w.includes('mcs-bridge moved its names into spec.consumerClusters and serves it only to "member3"'),
      ),
      said.join('\n'),
    );
  });
});
