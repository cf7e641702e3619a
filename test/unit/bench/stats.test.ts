import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { benchPortBase, percentiles, slowSamples } from '../../bench/syncer/stats.ts';

describe('the syncer bench’s figures', () => {
  it('counts the samples over a limit, which percentiles can hide', () => {
    const samples = [...Array(999).fill(5), 510];
    assert.equal(percentiles(samples).p99, 5, 'one slow change in 1,000 does not move p99');
    assert.equal(slowSamples(samples, 100), 1);
  });

  it('takes its sandbox ports from MCS_BENCH_PORT_BASE, 17600 unless set', () => {
    assert.equal(benchPortBase(undefined), 17_600);
    assert.equal(benchPortBase('18500'), 18_500);
    assert.throws(
      () => benchPortBase('80'),
      /--port-base \(or MCS_BENCH_PORT_BASE\): '80' is not a port from 1024 to 65435/,
    );
  });
});
