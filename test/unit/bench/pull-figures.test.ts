import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type PullResults, renderPullSection, summarizePull } from '../../bench/karmada/pull-figures.ts';
import { renderPerformance } from '../../bench/readme.ts';

const info = {
  date: '2026-12-07T21:40:00.000Z',
  cores: 2,
  cpu: 'AMD EPYC',
  memoryGb: 8,
  node: 'v24',
  os: 'linux',
  commit: 'abc123',
  versions: { karmada: 'v1.18.2', mcsBridge: '0.1.0', kubernetes: 'v1.35.4' },
} as unknown as PullResults;

describe('the Pull side by side', () => {
  it('splits a Pull change at the hub’s Work: the hub side, then the agent’s apply', () => {
    const s = summarizePull([
      {
        samples: [
          { totalMs: 100, toWorkMs: 30 },
          { totalMs: 50, toWorkMs: 20 },
        ],
        lost: 1,
        coalesced: 0,
      },
      { samples: [{ totalMs: 80, toWorkMs: 40 }], lost: 0, coalesced: 2 },
    ]);
    assert.deepEqual(
      s && [s.count, s.p50, s.toWork?.p50, s.apply?.p50, s.rounds.length, s.lost, s.coalesced],
      [3, 80, 30, 40, 2, 1, 2],
    );
  });

  it('has no split for a Push consumer, and no summary when nothing arrived', () => {
    const push = summarizePull([{ samples: [{ totalMs: 5 }], lost: 0, coalesced: 0 }]);
    assert.equal(push?.toWork, undefined);
    assert.equal(summarizePull([{ samples: [], lost: 3, coalesced: 0 }]), undefined);
  });

  it('renders every contender measured, the load at both ends and the goals, into docs/performance.md', () => {
    const one = summarizePull([{ samples: [{ totalMs: 40, toWorkMs: 10 }], lost: 0, coalesced: 0 }]);
    const results: PullResults = {
      ...info,
      loadAverage: [5.1, 4, 3],
      loadAverageAtEnd: [6, 5, 4],
      durationSeconds: 600,
      options: {
        rounds: 2,
        samples: 60,
        warmup: 10,
        rampStart: 5,
        rampFactor: 1.5,
        rampMax: 200,
        rampStepSeconds: 5,
      },
      sequential: { 'mcs-bridge-pull': one, 'karmada-pull': one, 'bare-copier': one },
      throughput: {
        'mcs-bridge-pull': { steps: [], sustained: { changesPerSecond: 20, limitedBy: 'saturated' } },
      },
    };
    const text = renderPullSection(results);
    assert.match(
      text,
      /load average \(1 \/ 5 \/ 15 min\) 5\.1 \/ 4\.0 \/ 3\.0 at the start and 6\.0 \/ 5\.0 \/ 4\.0 at the end/,
    );
    assert.match(
      text,
      /\| mcs-bridge → member2 \(Pull\) \| Karmada's MCS path → member2 \(Pull\), gate on \| bare copier → member3 \(Push\) \|/,
    );
    assert.match(text, /\| sustained changes\/s \(p99 ≤ 1 s\) \| 20 \(saturated\) \| not run \| not run \|/);
    assert.match(text, /mcs-bridge's p50 is 1\/1\.0 of Karmada's/);
    assert.match(renderPerformance({ karmadaPull: results }), /## Side by side with Karmada, Pull mode/);
  });
});
