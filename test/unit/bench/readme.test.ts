import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KarmadaResults } from '../../bench/karmada/figures.ts';
import { parseBenchOptions } from '../../bench/karmada/options.ts';
import type { ScaleRun } from '../../bench/karmada/scale.ts';
import { judgeTargets } from '../../bench/karmada/targets.ts';
import { renderPerformance, withPerformance } from '../../bench/readme.ts';

function run(contender: ScaleRun['contender'], seconds: number, converged: boolean, hub: number): ScaleRun {
  return {
    namespace: 'bench-scale',
    mcs: 1000,
    sourceSlices: 1999,
    sourceEndpoints: 110_098,
    setupSeconds: 20,
    contender,
    copiesExpected: 3998,
    capSeconds: 2400,
    converged,
    seconds,
    copiesAtEnd: converged ? 3998 : 3000,
    progress: [],
    writes: { hub, members: 6998 },
    peakRssMb: contender === 'mcs-bridge' ? 250 : 1200,
    peakRssByProcessMb: {},
    cpuSeconds: 20,
    hubApiserverCpuSeconds: 15,
  };
}

/** A `make bench-karmada-converge` result: the scale phase alone. */
function convergeRun(karmadaRuns: ScaleRun[]): KarmadaResults {
  const options = parseBenchOptions([
    '--phases',
    'scale',
    '--scale-cap',
    '2400',
    '--record-as',
    'karmadaConverge',
  ]);
  assert.ok(options);
  const base = {
    date: '2026-11-30T09:00:00.000Z',
    node: 'v20.20.2',
    cores: 2,
    cpu: 'test',
    platform: 'linux',
    commit: 'abc',
    versions: { mcsBridge: '0.1.0', kubernetes: 'v1.35.4', karmada: 'v1.18.2', etcd: 'v3.6.5' },
    loadAverage: [1],
    durationSeconds: 2700,
    options,
    contenders: {
      'mcs-bridge': { label: 'mcs-bridge' },
      'karmada-default': { label: 'Karmada, default QPS (40/60)' },
      'karmada-raised': { label: 'Karmada, QPS 1000/1500' },
    },
    scale: {
      runs: [run('mcs-bridge', 60, true, 2300), ...karmadaRuns],
      floor: { seconds: 41, writes: 6998 },
    },
  };
  return { ...base, targets: judgeTargets(base) };
}

describe('README § Performance, the run until Karmada converges', () => {
  it('judges the scale targets on converged Karmada runs and says so', () => {
    const text = renderPerformance({
      karmadaConverge: convergeRun([
        run('karmada-default', 1500, true, 40_000),
        run('karmada-raised', 700, true, 60_000),
      ]),
    });
    assert.match(text, /## Scale until Karmada converges/);
    assert.match(text, /judged on its full times/);
    assert.match(text, /- met: 1000 MCS converged in ≤ 1\/20 of Karmada's time at default QPS/);
    assert.match(text, /- \*\*missed\*\*: 1000 MCS converged in ≤ 1\/20 of Karmada's time at raised QPS/);
    // Only the scale targets: the phases this run did not make are not listed as unmeasured.
    assert.doesNotMatch(text, /propagation p50/);
  });

  it('calls figures at the cap lower bounds, and judges against them only where that settles it', () => {
    const text = renderPerformance({
      karmadaConverge: convergeRun([run('karmada-default', 2400, false, 30_000)]),
    });
    assert.match(text, /figures are lower bounds/);
    assert.match(text, /- met: 1000 MCS converged in ≤ 1\/20 of Karmada's time at default QPS — ≤ 1\/40\.0/);
  });

  it('leaves the section out when no such run was made', () => {
    assert.doesNotMatch(renderPerformance({}), /Scale until Karmada converges/);
  });

  it('refuses a README without the markers rather than appending somewhere', () => {
    assert.throws(() => withPerformance('# README\n', 'x'), /no <!-- bench:start -->/);
  });
});
