import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cdfPoints, cdfRows } from '../../../bench/karmada/cdf.ts';
import { costBetween, type Snapshot, sumCosts } from '../../../bench/karmada/cost.ts';
import { parseBenchOptions } from '../../../bench/karmada/options.ts';
import {
  keepRamping,
  type RampStep,
  rampRates,
  stepOutcome,
  sustained,
} from '../../../bench/karmada/ramp.ts';
import { interleave, split } from '../../../bench/karmada/schedule.ts';
import { addWrites, clientGoWrites, parseMetrics, syncerWrites } from '../../../bench/karmada/writes.ts';
import { parseCpuSeconds, parseStatusMb } from '../../../bench/procfs.ts';
import { parseVersionsEnv } from '../../../bench/results.ts';

describe('interleaving schedule', () => {
  it('gives every contender one turn a round and turns the order by one place each round', () => {
    const turns = interleave(['A', 'B', 'C'], 3)
      .map((t) => t.contender)
      .join('');
    assert.equal(turns, 'ABCBCACAB');
  });

  it('numbers the turns and their rounds', () => {
    const turns = interleave(['A', 'B'], 2);
    assert.deepEqual(
      turns.map((t) => [t.round, t.index]),
      [
        [0, 0],
        [0, 1],
        [1, 2],
        [1, 3],
      ],
    );
  });

  it('puts each contender in each place of a round once over as many rounds as contenders', () => {
    const turns = interleave(['A', 'B', 'C'], 3);
    for (const c of ['A', 'B', 'C']) {
      const places = turns.filter((t) => t.contender === c).map((t) => t.index % 3);
      assert.deepEqual([...places].sort(), [0, 1, 2], `${c} takes places ${places}`);
    }
  });

  it('refuses an empty schedule', () => {
    assert.throws(() => interleave([], 3), /no contender/);
    assert.throws(() => interleave(['A'], 0), /rounds/);
  });

  for (const [total, rounds, expected] of [
    [300, 3, [100, 100, 100]],
    [1050, 3, [350, 350, 350]],
    [10, 3, [4, 3, 3]],
    [2, 3, [1, 1, 0]],
  ] as const) {
    it(`splits ${total} samples over ${rounds} rounds as ${expected.join(' + ')}`, () => {
      assert.deepEqual(split(total, rounds), expected);
    });
  }
});

const step = (over: Partial<RampStep>): RampStep => ({
  offeredPerSecond: 100,
  achievedPerSecond: 99,
  arrived: 800,
  coalesced: 0,
  lost: 0,
  p50Ms: 5,
  p99Ms: 20,
  ...over,
});

describe('throughput ramp', () => {
  it('doubles from the start rate up to the maximum', () => {
    assert.deepEqual(rampRates(10, 2, 640), [10, 20, 40, 80, 160, 320, 640]);
    assert.deepEqual(rampRates(10, 2, 100), [10, 20, 40, 80]);
  });

  it('refuses a ramp that would not rise', () => {
    assert.throws(() => rampRates(10, 1, 100), /factor > 1/);
    assert.throws(() => rampRates(10, 2, 5), /max ≥ start/);
  });

  for (const [name, over, outcome] of [
    ['a step with a low p99 and its full rate is carried', {}, 'carried'],
    ['a step whose p99 passed 1 s saturated', { p99Ms: 1500 }, 'saturated'],
    ['a step that lost more than 1% saturated', { lost: 20 }, 'saturated'],
    [
      'a step where nothing arrived saturated',
      { arrived: 0, coalesced: 0, lost: 0, p99Ms: Number.NaN },
      'saturated',
    ],
    [
      'a step the provider took at under 90% of its rate measured the generator',
      { achievedPerSecond: 70 },
      'generator-limited',
    ],
    [
      'a step both slow and short of its rate counts as saturated',
      { achievedPerSecond: 70, p99Ms: 2000 },
      'saturated',
    ],
  ] as const) {
    it(name, () => {
      assert.equal(stepOutcome(step(over)), outcome);
      assert.equal(keepRamping(step(over)), outcome === 'carried');
    });
  }

  it('keeps the achieved rate of the last step carried before saturation', () => {
    const steps = [
      step({ offeredPerSecond: 10, achievedPerSecond: 10 }),
      step({ offeredPerSecond: 20, achievedPerSecond: 19.5 }),
      step({ offeredPerSecond: 40, p99Ms: 3000 }),
    ];
    assert.deepEqual(sustained(steps), { changesPerSecond: 19.5, limitedBy: 'saturated' });
  });

  it('says when the ramp ended, or the generator gave out, before the contender saturated', () => {
    assert.equal(sustained([step({})]).limitedBy, 'ramp-end');
    assert.deepEqual(sustained([step({ achievedPerSecond: 50 })]), {
      changesPerSecond: 50,
      limitedBy: 'generator',
    });
    assert.deepEqual(sustained([step({ p99Ms: 5000 })]), { changesPerSecond: 0, limitedBy: 'saturated' });
  });
});

describe('latency CDF', () => {
  it('keeps every sample of a small set, sorted, with its cumulative share', () => {
    assert.deepEqual(cdfPoints([3, 1, 2, 4]), [
      { ms: 1, fraction: 0.25 },
      { ms: 2, fraction: 0.5 },
      { ms: 3, fraction: 0.75 },
      { ms: 4, fraction: 1 },
    ]);
  });

  it('thins a large set to the asked number of points, keeping the minimum and the maximum', () => {
    const samples = Array.from({ length: 10_000 }, (_, i) => i + 1);
    const points = cdfPoints(samples, 101);
    assert.equal(points.length, 101);
    assert.deepEqual(points[0], { ms: 1, fraction: 1 / 10_000 });
    assert.deepEqual(points.at(-1), { ms: 10_000, fraction: 1 });
    for (let i = 1; i < points.length; i++) assert.ok((points[i]?.ms ?? 0) > (points[i - 1]?.ms ?? 0));
  });

  it('has no points for no samples and drops values that are not numbers', () => {
    assert.deepEqual(cdfPoints([]), []);
    assert.deepEqual(cdfPoints([Number.NaN, 5]), [{ ms: 5, fraction: 1 }]);
  });

  it('tags the rows of each series with its name', () => {
    const rows = cdfRows({ a: [1], b: [2, 3] });
    assert.deepEqual(
      rows.map((r) => `${r.series}:${r.ms}`),
      ['a:1', 'b:2', 'b:3'],
    );
  });
});

describe('API writes from client metrics', () => {
  const karmada = [
    '# HELP rest_client_requests_total Number of HTTP requests',
    '# TYPE rest_client_requests_total counter',
    'rest_client_requests_total{code="200",host="127.0.0.1:19810",method="GET"} 500',
    'rest_client_requests_total{code="200",host="127.0.0.1:19810",method="PUT"} 7',
    'rest_client_requests_total{code="201",host="127.0.0.1:19810",method="POST"} 3',
    'rest_client_requests_total{code="200",host="127.0.0.1:19812",method="PUT"} 5',
    'rest_client_requests_total{code="200",host="127.0.0.1:19812",method="PATCH"} 1',
    'rest_client_requests_total{code="200",host="127.0.0.1:19812",method="DELETE"} 2',
    'workqueue_adds_total{name="x"} 9',
  ].join('\n');

  it("splits a client-go program's writes into the hub's (by its host) and the members'", () => {
    assert.deepEqual(clientGoWrites(karmada, '127.0.0.1:19810'), { hub: 10, members: 8 });
  });

  it("splits the syncer's writes by its cluster label, reads not counted", () => {
    const text = [
      'mcs_bridge_syncer_api_requests_total{cluster="hub",verb="update",code="200"} 4',
      'mcs_bridge_syncer_api_requests_total{cluster="hub",verb="list",code="200"} 40',
      'mcs_bridge_syncer_api_requests_total{cluster="member2",verb="create",code="201"} 6',
      'mcs_bridge_syncer_api_requests_total{cluster="member2",verb="update",code="409"} 1',
    ].join('\n');
    assert.deepEqual(syncerWrites(text), { hub: 4, members: 7 });
  });

  it('reads label values with escaped quotes and adds writes of several programs', () => {
    const [sample] = parseMetrics('m{a="x\\"y",b="z"} 2.5');
    assert.deepEqual(sample, { name: 'm', labels: { a: 'x"y', b: 'z' }, value: 2.5 });
    assert.deepEqual(
      addWrites([
        { hub: 1, members: 2 },
        { hub: 3, members: 4 },
      ]),
      { hub: 4, members: 6 },
    );
  });
});

describe('/proc readings', () => {
  it('reads user + system CPU seconds after a command name holding spaces and parentheses', () => {
    const stat = '1234 (karmada (x) y) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 12 0 5000 0 0';
    assert.equal(parseCpuSeconds(stat), 3.25);
  });

  it('reads the peak and current resident set in MB', () => {
    const status = 'Name:\tnode\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n';
    assert.equal(parseStatusMb(status, 'VmHWM'), 200);
    assert.equal(parseStatusMb(status, 'VmRSS'), 100);
    assert.throws(() => parseStatusMb('Name: x', 'VmHWM'), /no VmHWM/);
  });
});

describe('cost per change', () => {
  const snap = (at: number, hub: number, members: number, cpu: number, hubCpu: number): Snapshot => ({
    at,
    writes: { hub, members },
    cpuSeconds: cpu,
    hubApiserverCpuSeconds: hubCpu,
  });

  it('divides writes and CPU between two snapshots by the changes made', () => {
    const c = costBetween(snap(0, 10, 100, 1, 5), snap(2000, 210, 200, 2.66, 6.92), 100);
    assert.deepEqual(c.writesPerChange, { hub: 2, members: 1 });
    assert.equal(c.seconds, 2);
    assert.ok(Math.abs(c.cpuSecondsPer1000 - 16.6) < 1e-9);
    assert.ok(Math.abs(c.hubApiserverCpuMsPerChange - 19.2) < 1e-9);
  });

  it('sums turns weighting each by its changes', () => {
    const a = costBetween(snap(0, 0, 0, 0, 0), snap(1000, 0, 100, 1, 0), 100);
    const b = costBetween(snap(0, 0, 0, 0, 0), snap(1000, 0, 300, 9, 0), 300);
    const sum = sumCosts([a, b]);
    assert.equal(sum?.changes, 400);
    assert.deepEqual(sum?.writesPerChange, { hub: 0, members: 1 });
    assert.equal(sum?.cpuSecondsPer1000, 25);
    assert.equal(sumCosts([]), undefined);
  });

  it('refuses a cost of no change', () => {
    assert.throws(() => costBetween(snap(0, 0, 0, 0, 0), snap(1, 0, 0, 0, 0), 0), /at least one change/);
  });
});

describe('bench-karmada command line', () => {
  it('runs every phase at the documented sizes by default', () => {
    const o = parseBenchOptions([]);
    assert.deepEqual(o?.phases, ['latency', 'throughput', 'webhook', 'scale']);
    assert.equal(o?.portBase, 17700);
    assert.equal(o?.samples, 300);
    assert.equal(o?.oursSamples, 1050);
    assert.equal(o?.recordAs, 'karmada');
  });

  it('records the convergence run under a key of its own', () => {
    assert.equal(parseBenchOptions(['--record-as', 'karmadaConverge'])?.recordAs, 'karmadaConverge');
  });

  it('takes the port base from the environment unless the flag says otherwise', () => {
    assert.equal(parseBenchOptions([], { MCS_BENCH_KARMADA_PORT_BASE: '19800' })?.portBase, 19800);
    assert.equal(
      parseBenchOptions(['--port-base', '19900'], { MCS_BENCH_KARMADA_PORT_BASE: '19800' })?.portBase,
      19900,
    );
  });

  it('keeps the phases in their running order whatever order they are asked in', () => {
    assert.deepEqual(parseBenchOptions(['--phases', 'scale,latency'])?.phases, ['latency', 'scale']);
  });

  for (const [args, message] of [
    [['--phases', 'latency,speed'], /unknown phase 'speed'/],
    [['--rounds', '0'], /--rounds: '0' is not a whole number of at least 1/],
    [['--samples', 'many'], /--samples: 'many'/],
    [['--ramp-start', '50', '--ramp-max', '10'], /--ramp-max 10 is below --ramp-start 50/],
    [['--port-base', '70000'], /port base/],
    [['--record-as', '../x'], /--record-as: '..\/x' is not a key/],
  ] as const) {
    it(`refuses ${args.join(' ')} with a one-line reason`, () => {
      assert.throws(() => parseBenchOptions([...args]), message);
    });
  }

  it('answers --help with nothing to run', () => {
    assert.equal(parseBenchOptions(['--help']), undefined);
  });
});

describe('versions of the programs measured', () => {
  it('reads KEY=value lines and skips comments', () => {
    assert.deepEqual(parseVersionsEnv('# pinned\nK8S_VERSION=v1.35.4\n\nKARMADA_VERSION=v1.18.2 # note\n'), {
      K8S_VERSION: 'v1.35.4',
      KARMADA_VERSION: 'v1.18.2',
    });
  });
});
