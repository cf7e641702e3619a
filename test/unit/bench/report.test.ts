import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { LoadFigures } from '../../bench/load.ts';
import { median, summarize, table, verdict } from '../../bench/report.ts';

function figures(rps: number, p99: number, overrides: Partial<LoadFigures> = {}): LoadFigures {
  return {
    requestsPerSecond: rps,
    latencyMs: { p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 2, max: p99 * 3, mean: p99 / 3 },
    requests: rps * 10,
    seconds: 10,
    errors: 0,
    timeouts: 0,
    non2xx: 0,
    serverCpu: 0.9,
    clientCpu: 0.5,
    ...overrides,
  };
}

describe('bench report', () => {
  it('takes the median of an odd and of an even count', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  it('summarizes rounds by their medians, the worst max and every failure', () => {
    const s = summarize([figures(1000, 4), figures(3000, 8, { non2xx: 2 }), figures(2000, 6, { errors: 1 })]);
    assert.equal(s.requestsPerSecond, 2000);
    assert.equal(s.latencyMs.p99, 6);
    assert.equal(s.latencyMs.max, 24);
    assert.equal(s.failures, 3);
    assert.equal(Math.round(s.serverCpuMicrosPerRequest ?? 0), 450);
  });

  it('leaves out the CPU per request when the server CPU could not be read', () => {
    const s = summarize([figures(1000, 4, { serverCpu: undefined })]);
    assert.equal(s.serverCpuMicrosPerRequest, undefined);
    assert.match(
      table([{ label: 'route', summary: s }]),
      /route\s+1000\s+1\.00\s+2\.00\s+4\.00\s+-\s+-\s+50%/,
    );
  });

  it('meets the target only with both enough throughput and a low enough p99', () => {
    const target = { minThroughputRatio: 0.8, maxP99Ms: 5 };
    const ceiling = summarize([figures(1000, 3)]);
    assert.equal(verdict('v', summarize([figures(850, 4)]), ceiling, target).met, true);
    assert.equal(verdict('v', summarize([figures(790, 4)]), ceiling, target).met, false);
    assert.equal(verdict('v', summarize([figures(900, 5)]), ceiling, target).met, false);
    assert.equal(verdict('v', summarize([figures(800, 4)]), ceiling, target).throughputRatio, 0.8);
  });

  it('judges throughput alone when the target sets no p99', () => {
    const ceiling = summarize([figures(1000, 3)]);
    assert.equal(verdict('v', summarize([figures(900, 50)]), ceiling, { minThroughputRatio: 0.8 }).met, true);
    assert.equal(verdict('v', summarize([figures(700, 1)]), ceiling, { minThroughputRatio: 0.8 }).met, false);
  });
});
