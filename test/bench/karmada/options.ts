/**
 * The command line of `make bench-karmada` (test/bench/karmada.ts). Pure: argv in, options out.
 */
import { parseArgs } from 'node:util';

/** The phases of the side-by-side benchmark, in the order they run. */
export const PHASES = ['latency', 'throughput', 'webhook', 'scale'] as const;
/** One phase. */
export type Phase = (typeof PHASES)[number];

/** The default port base of the side-by-side sandbox (the syncer bench's is 17600). */
export const DEFAULT_PORT_BASE = 17700;

export const HELP = `Usage: node --import tsx test/bench/karmada.ts [options]

mcs-bridge side by side with Karmada v1.18.2's own MultiClusterService path, on one Karmada
sandbox (member3 joined as a second consumer), one implementation at a time, in interleaved
turns: propagation latency (one change at a time, and under churn), sustained throughput,
API writes and CPU per change, scale from cold, and the two webhooks under the same load.
Figures go under "karmada" in .results/bench-results.json; make bench-report renders them into docs/performance.md.

Contenders: mcs-bridge (our syncer; Karmada's MCS gate off), karmada-default (gate on,
--kube-api-qps 40 / burst 60, Karmada's defaults), karmada-raised (--kube-api-qps and
--cluster-api-qps at --raised-qps).

Options (defaults in brackets):
  --phases LIST            which phases, comma-separated [${PHASES.join(',')}]
  --rounds N               interleaved rounds of the latency phase [3]
  --samples N              one-at-a-time changes per Karmada contender, over all rounds [300]
  --ours-samples N         one-at-a-time changes for mcs-bridge, over all rounds [1050]
  --warmup N               changes before each turn is measured [20]
  --churn-rate N           changes a second under churn [50]
  --churn-seconds N        seconds of churn per contender, over all rounds [30]
  --churn-services N       Services the churn goes round [200]
  --ramp-start N           first rate of the throughput ramp, changes/s [10]
  --ramp-factor X          each step's rate over the one before [1.5]
  --ramp-max N             last rate of the ramp [640]
  --ramp-step-seconds N    seconds per ramp step [6]
  --scale N                MultiClusterServices of the scale phase [1000]
  --scale-cap N            seconds each Karmada setting may take to converge at scale [90]
                           (mcs-bridge gets at least 600)
  --raised-qps N           karmada-raised's client QPS (burst 1.5×) [1000]
  --webhook-connections N  concurrent connections of the webhook phase [50]
  --webhook-rounds N       interleaved rounds per webhook route; the median is kept, so one
                           round disturbed by the machine does not decide [3]
  --webhook-seconds N      measured seconds per round (1 s warm-up before) [4]
  --port-base N            first of the 100 ports of the bench sandbox [$MCS_BENCH_KARMADA_PORT_BASE or ${DEFAULT_PORT_BASE}]
  --dir DIR                the bench sandbox's folder [.sandbox/bench-karmada]
  --record-as KEY          the key of bench-results.json the figures go under [karmada];
                           make bench-karmada-converge uses karmadaConverge
  -h, --help               show this help
`;

/** What the benchmark was asked to do. */
export interface BenchOptions {
  phases: Phase[];
  rounds: number;
  samples: number;
  oursSamples: number;
  warmup: number;
  churnRate: number;
  churnSeconds: number;
  churnServices: number;
  rampStart: number;
  rampFactor: number;
  rampMax: number;
  rampStepSeconds: number;
  scale: number;
  scaleCap: number;
  raisedQps: number;
  webhookConnections: number;
  webhookRounds: number;
  webhookSeconds: number;
  portBase: number;
  dir: string | undefined;
  /** The key of bench-results.json the figures go under. */
  recordAs: string;
}

/** Parses argv; undefined after --help. Throws with a one-line message naming the bad option. */
export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv = {}): BenchOptions | undefined {
  const { values: v } = parseArgs({
    args: argv,
    options: {
      phases: { type: 'string' },
      rounds: { type: 'string' },
      samples: { type: 'string' },
      'ours-samples': { type: 'string' },
      warmup: { type: 'string' },
      'churn-rate': { type: 'string' },
      'churn-seconds': { type: 'string' },
      'churn-services': { type: 'string' },
      'ramp-start': { type: 'string' },
      'ramp-factor': { type: 'string' },
      'ramp-max': { type: 'string' },
      'ramp-step-seconds': { type: 'string' },
      scale: { type: 'string' },
      'scale-cap': { type: 'string' },
      'raised-qps': { type: 'string' },
      'webhook-connections': { type: 'string' },
      'webhook-rounds': { type: 'string' },
      'webhook-seconds': { type: 'string' },
      'port-base': { type: 'string' },
      dir: { type: 'string' },
      'record-as': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (v.help) return undefined;
  const num = (name: keyof typeof v, fallback: number, min: number, integer = true): number => {
    const text = v[name] as string | undefined;
    if (text === undefined) return fallback;
    const n = Number(text);
    if (text.trim() === '' || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n)))
      throw new Error(
        `--${name}: '${text}' is not ${integer ? 'a whole number' : 'a number'} of at least ${min}`,
      );
    return n;
  };
  const phases = (v.phases ?? PHASES.join(',')).split(',').filter(Boolean);
  for (const p of phases)
    if (!PHASES.includes(p as Phase))
      throw new Error(`--phases: unknown phase '${p}' (known: ${PHASES.join(', ')})`);
  const envBase = env.MCS_BENCH_KARMADA_PORT_BASE;
  const portBase = num('port-base', envBase ? Number(envBase) : DEFAULT_PORT_BASE, 1024);
  if (!Number.isInteger(portBase) || portBase > 65435)
    throw new Error(`port base ${envBase ?? v['port-base']} is not a whole number from 1024 to 65435`);
  const opts: BenchOptions = {
    phases: PHASES.filter((p) => phases.includes(p)),
    rounds: num('rounds', 3, 1),
    samples: num('samples', 300, 1),
    oursSamples: num('ours-samples', 1050, 1),
    warmup: num('warmup', 20, 1),
    churnRate: num('churn-rate', 50, 1),
    churnSeconds: num('churn-seconds', 30, 0),
    churnServices: num('churn-services', 200, 1),
    rampStart: num('ramp-start', 10, 1, false),
    rampFactor: num('ramp-factor', 1.5, 1.05, false),
    rampMax: num('ramp-max', 640, 1, false),
    rampStepSeconds: num('ramp-step-seconds', 6, 1),
    scale: num('scale', 1000, 1),
    scaleCap: num('scale-cap', 90, 1),
    raisedQps: num('raised-qps', 1000, 1),
    webhookConnections: num('webhook-connections', 50, 1),
    webhookRounds: num('webhook-rounds', 3, 1),
    webhookSeconds: num('webhook-seconds', 4, 1),
    portBase,
    dir: v.dir,
    recordAs: v['record-as'] ?? 'karmada',
  };
  if (!/^[A-Za-z][A-Za-z0-9_-]{0,63}$/.test(opts.recordAs))
    throw new Error(
      `--record-as: '${opts.recordAs}' is not a key of letters, digits, - and _ starting with a letter`,
    );
  if (opts.rampMax < opts.rampStart)
    throw new Error(`--ramp-max ${opts.rampMax} is below --ramp-start ${opts.rampStart}`);
  return opts;
}
