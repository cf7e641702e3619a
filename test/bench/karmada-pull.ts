/**
 * `make bench-karmada-pull`: mcs-bridge side by side with Karmada's own MultiClusterService
 * path into a member joined in Pull mode (karmada-agent), in interleaved turns on one Karmada
 * sandbox, with where the time goes (the hub's controllers up to the consumer's Work, then the
 * agent's apply); and, in the same rounds, mcs-bridge into a Push member next to the bare
 * copier: the floor in the same place. Figures go under "karmadaPull" in
 * .results/bench-results.json (the Push side-by-side of `make bench-karmada` keeps "karmada").
 *
 *   node --import tsx test/bench/karmada-pull.ts [--rounds 2] [--samples 60] [--warmup 10]
 *     [--churn-services 20] [--ramp-start 5] [--ramp-factor 1.5] [--ramp-max 200]
 *     [--ramp-step-seconds 5] [--port-base N] [--dir DIR] [--record-as karmadaPull]
 */
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { joinMember, waitClustersReady } from '../sandbox/karmada.ts';
import { REPO_ROOT, Sandbox } from '../sandbox/sandbox.ts';
import {
  PULL_CONTENDER_IDS,
  type PullContenderId,
  type PullResults,
  type PullSample,
  renderPullSection,
  summarizePull,
} from './karmada/pull-figures.ts';
import {
  bareCopier,
  karmadaPull,
  oursSyncer,
  type PullArena,
  pullLatencyTurn,
  setUpPullArena,
} from './karmada/pull-turns.ts';
import { rampRates, sustained } from './karmada/ramp.ts';
import { interleave } from './karmada/schedule.ts';
import { rampTurn, type TurnTaker } from './karmada/turns.ts';
import { WorkTap } from './karmada/work-tap.ts';
import { machineInfo, provenance, recordResults } from './results.ts';
import { clients } from './syncer/fixtures.ts';
import { benchPortBase } from './syncer/stats.ts';

const started = performance.now();
const log = (s: string) => process.stdout.write(`${s}\n`);
const phase = (s: string) =>
  log(
    `bench-karmada-pull [${((performance.now() - started) / 60_000).toFixed(1)} min, load ${os.loadavg()[0]?.toFixed(1)}]: ${s}`,
  );

const HELP = `Usage: node --import tsx test/bench/karmada-pull.ts [options]   (make bench-karmada-pull)

mcs-bridge side by side with Karmada's own MultiClusterService path into a member joined in Pull
mode, interleaved on one Karmada sandbox, and mcs-bridge next to the bare copier into a Push member
in the same rounds. Figures go under --record-as in .results/bench-results.json; make bench-report
renders them into docs/performance.md.

  --rounds N             interleaved latency rounds per contender (2)
  --samples N            one-at-a-time changes per round (60)
  --warmup N             changes before each turn, not counted (10)
  --churn-services N     Services the ramp changes (20)
  --ramp-start N         the ramp's first rate, changes/s (5)
  --ramp-factor F        each step's rate over the last (1.5)
  --ramp-max N           the ramp's last rate (200)
  --ramp-step-seconds N  how long each step lasts (5)
  --port-base N          the sandbox's 100 ports (MCS_BENCH_KARMADA_PORT_BASE, 17700)
  --dir DIR              the sandbox's folder (.sandbox/bench-karmada-pull)
  --record-as KEY        the results key (karmadaPull)
  -h, --help             this text`;

function options() {
  const { values: v } = parseArgs({
    options: {
      help: { type: 'boolean', short: 'h' },
      rounds: { type: 'string', default: '2' },
      samples: { type: 'string', default: '60' },
      warmup: { type: 'string', default: '10' },
      'churn-services': { type: 'string', default: '20' },
      'ramp-start': { type: 'string', default: '5' },
      'ramp-factor': { type: 'string', default: '1.5' },
      'ramp-max': { type: 'string', default: '200' },
      'ramp-step-seconds': { type: 'string', default: '5' },
      'port-base': { type: 'string' },
      dir: { type: 'string' },
      'record-as': { type: 'string', default: 'karmadaPull' },
    },
  });
  if (v.help) {
    log(HELP);
    process.exit(0);
  }
  const num = (name: Exclude<keyof typeof v, 'help'>) => {
    const n = Number(v[name]);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name}: '${v[name]}' is not a positive number`);
    return n;
  };
  return {
    rounds: num('rounds'),
    samples: num('samples'),
    warmup: num('warmup'),
    churnServices: num('churn-services'),
    rampStart: num('ramp-start'),
    rampFactor: num('ramp-factor'),
    rampMax: num('ramp-max'),
    rampStepSeconds: num('ramp-step-seconds'),
    portBase: benchPortBase(v['port-base'] ?? process.env.MCS_BENCH_KARMADA_PORT_BASE ?? '17700'),
    dir: path.resolve(v.dir ?? path.join(REPO_ROOT, '.sandbox/bench-karmada-pull')),
    recordAs: v['record-as'] ?? 'karmadaPull',
  };
}

async function main(): Promise<void> {
  const o = options();
  const info = { ...machineInfo(), ...(await provenance()), loadAverage: os.loadavg() };
  phase(
    `starting a Karmada sandbox with member2 in Pull mode and member3 in Push mode (ports ${o.portBase}–${o.portBase + 99})`,
  );
  await Sandbox.down({ dir: o.dir, log: () => {} });
  const sb = await Sandbox.up({
    dir: o.dir,
    basePort: o.portBase,
    extraMembers: ['member3'],
    karmada: { multiClusterService: false, pullMembers: ['member2'] },
    timeoutMs: 600_000,
    log: (l) => log(`    sandbox: ${l}`),
  });
  const tap = new WorkTap(clients(sb, 'hub').kc, 'karmada-es-member2');
  try {
    await joinMember(sb, 'member3');
    await waitClustersReady(sb, ['member3'], 300_000);
    phase(`setting up each contender's namespace: 1 + ${o.churnServices} Services`);
    const arenas = new Map<PullContenderId, PullArena>();
    for (const id of PULL_CONTENDER_IDS) arenas.set(id, await setUpPullArena(sb, id, o.churnServices));
    const arena = (id: PullContenderId) => arenas.get(id) as PullArena;
    const reconciles: PullResults['syncerReconciles'] = {};
    const count = (id: PullContenderId) => (byResult: Record<string, number>) => {
      const sum = reconciles[id] ?? {};
      for (const [result, n] of Object.entries(byResult)) sum[result] = (sum[result] ?? 0) + n;
      reconciles[id] = sum;
      log(`    ${id}: the syncer's reconciles this turn: ${JSON.stringify(byResult)}`);
    };
    const takers: Record<PullContenderId, TurnTaker> = {
      'mcs-bridge-pull': oursSyncer(sb, arena('mcs-bridge-pull'), count('mcs-bridge-pull')),
      'karmada-pull': karmadaPull(sb, arena('karmada-pull')),
      'mcs-bridge-push': oursSyncer(sb, arena('mcs-bridge-push'), count('mcs-bridge-push')),
      'bare-copier': bareCopier(sb, arena('bare-copier')),
    };
    await tap.start();

    const rounds = new Map<PullContenderId, { samples: PullSample[]; lost: number; coalesced: number }[]>();
    for (const t of interleave(PULL_CONTENDER_IDS, o.rounds)) {
      const id = t.contender;
      phase(`latency round ${t.round + 1}/${o.rounds}, ${id}: ${o.samples} changes one at a time`);
      const turn = await pullLatencyTurn(
        arena(id),
        takers[id],
        o.samples,
        o.warmup,
        id.endsWith('-pull') ? tap : undefined,
      );
      rounds.set(id, [...(rounds.get(id) ?? []), turn]);
    }
    const results: PullResults = {
      ...info,
      durationSeconds: 0,
      options: {
        rounds: o.rounds,
        samples: o.samples,
        warmup: o.warmup,
        rampStart: o.rampStart,
        rampFactor: o.rampFactor,
        rampMax: o.rampMax,
        rampStepSeconds: o.rampStepSeconds,
      },
      sequential: {},
      throughput: {},
      syncerReconciles: reconciles,
    };
    for (const [id, list] of rounds) results.sequential[id] = summarizePull(list);

    const rates = rampRates(o.rampStart, o.rampFactor, o.rampMax);
    for (const t of interleave(['mcs-bridge-pull', 'karmada-pull'] as const, 1)) {
      const id = t.contender;
      phase(
        `throughput ramp, ${id}: ${rates.join(', ')} changes/s, ${o.rampStepSeconds} s a step, until p99 > 1 s`,
      );
      const steps = await rampTurn(
        arena(id),
        takers[id],
        { warmup: o.warmup, rates, stepSeconds: o.rampStepSeconds },
        log,
      );
      results.throughput[id] = { steps, sustained: sustained(steps) };
    }
    results.durationSeconds = (performance.now() - started) / 1000;
    results.loadAverageAtEnd = os.loadavg();
    log('');
    log(renderPullSection(results));
    await recordResults(o.recordAs, results);
    phase(`done; figures under "${o.recordAs}" in .results/bench-results.json`);
  } finally {
    tap.stop();
    await Sandbox.down({ dir: o.dir, log: () => {} }).catch(() => {});
  }
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`bench-karmada-pull failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
