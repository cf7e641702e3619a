/**
 * `make bench-karmada` (part of `make bench`): mcs-bridge side by side with Karmada's own
 * MultiClusterService path on one Karmada sandbox, one implementation at a time, in
 * interleaved turns. `--help` lists the phases and their sizes. Prints a line per phase, the
 * tables and the targets, and writes every figure under "karmada" in bench-results.json.
 */
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT, Sandbox } from '../sandbox/sandbox.ts';
import { benchSandbox, setUpArena } from './karmada/arena.ts';
import { type Contender, type ContenderId, karmadaContender, oursContender } from './karmada/contenders.ts';
import { sumCosts } from './karmada/cost.ts';
import { contenderInfo, type KarmadaResults, summarizeLatency } from './karmada/figures.ts';
import { type BenchOptions, HELP, parseBenchOptions } from './karmada/options.ts';
import { rampRates, sustained } from './karmada/ramp.ts';
import { renderKarmadaTables } from './karmada/render.ts';
import { runScale, runScaleFloor, setUpScale } from './karmada/scale.ts';
import { interleave, split } from './karmada/schedule.ts';
import { judgeTargets } from './karmada/targets.ts';
import { type LatencyTurn, latencyTurn, rampTurn } from './karmada/turns.ts';
import { webhookSideBySide } from './karmada/webhook.ts';
import { machineInfo, provenance, recordResults } from './results.ts';

const started = performance.now();
const clock = () => `${((performance.now() - started) / 60_000).toFixed(1)} min`;
const log = (s: string) => process.stdout.write(`${s}\n`);
const phase = (s: string) => log(`bench-karmada [${clock()}]: ${s}`);

function contenders(sb: Sandbox, o: BenchOptions): Contender[] {
  return [
    oursContender(sb),
    karmadaContender(sb, 'karmada-default', undefined),
    karmadaContender(sb, 'karmada-raised', { qps: o.raisedQps, burst: Math.round(o.raisedQps * 1.5) }),
  ];
}

type Results = Omit<KarmadaResults, 'targets'>;

/** Latency, cost and throughput turns, and the webhooks, on one shared sandbox. */
async function sharedPhases(o: BenchOptions, dir: string, results: Results): Promise<void> {
  phase(`starting the shared Karmada sandbox (ports ${o.portBase}–${o.portBase + 99}, ${dir})`);
  const sb = await benchSandbox(dir, o.portBase, log);
  const all = contenders(sb, o);
  phase(`setting up each implementation's namespace: 1 + ${o.churnServices} Services with MCS`);
  const ours = all[0] as Contender;
  const oursArena = await setUpArena(sb, ours, o.churnServices);
  const karmadaArena = await setUpArena(sb, all[1] as Contender, o.churnServices);
  const arena = (c: Contender) => (c.id === 'mcs-bridge' ? oursArena : karmadaArena);

  if (o.phases.includes('latency')) {
    const turns = interleave(all, o.rounds);
    const share = (c: Contender) => split(c.id === 'mcs-bridge' ? o.oursSamples : o.samples, o.rounds);
    const churnShare = split(o.churnSeconds, o.rounds);
    const byContender = new Map<ContenderId, LatencyTurn[]>();
    for (const t of turns) {
      const c = t.contender;
      const sizes = {
        warmup: o.warmup,
        sequential: share(c)[t.round] ?? 0,
        churnRate: o.churnRate,
        churnSeconds: churnShare[t.round] ?? 0,
      };
      phase(
        `latency round ${t.round + 1}/${o.rounds}, ${c.id}: ${sizes.sequential} changes one at a time, then ${sizes.churnSeconds} s of churn at ${o.churnRate}/s over ${o.churnServices} Services`,
      );
      const turn = await latencyTurn(arena(c), c, sizes);
      byContender.set(c.id, [...(byContender.get(c.id) ?? []), turn]);
    }
    results.sequential = {};
    results.churn = {};
    results.cost = { sequential: {}, churn: {} };
    for (const [id, list] of byContender) {
      results.sequential[id] = summarizeLatency(list.map((t) => t.sequential));
      results.churn[id] = summarizeLatency(list.flatMap((t) => (t.churn ? [t.churn] : [])));
      results.cost.sequential[id] = sumCosts(list.map((t) => t.sequentialCost));
      results.cost.churn[id] = sumCosts(list.flatMap((t) => (t.churnCost ? [t.churnCost] : [])));
    }
  }
  if (o.phases.includes('throughput')) {
    results.throughput = {};
    const rates = rampRates(o.rampStart, o.rampFactor, o.rampMax);
    for (const t of interleave(all, 1)) {
      const c = t.contender;
      phase(
        `throughput ramp, ${c.id}: ${rates.join(', ')} changes/s, ${o.rampStepSeconds} s a step, until p99 > 1 s`,
      );
      const steps = await rampTurn(
        arena(c),
        c,
        { warmup: o.warmup, rates, stepSeconds: o.rampStepSeconds },
        log,
      );
      results.throughput[c.id] = { steps, sustained: sustained(steps) };
    }
  }
  if (o.phases.includes('webhook')) {
    phase(`webhooks: mcs-bridge's and karmada-webhook, ${o.webhookConnections} connections and 1`);
    results.webhook = await webhookSideBySide(
      sb,
      {
        connections: o.webhookConnections,
        rounds: o.webhookRounds,
        warmupSeconds: 1,
        durationSeconds: o.webhookSeconds,
        oneConnectionSeconds: Math.min(4, o.webhookSeconds),
      },
      log,
    );
  }
  oursArena.watcher.stop();
  karmadaArena.watcher.stop();
  phase('stopping the shared sandbox');
  await Sandbox.down({ dir, log: () => {} });
}

/** Scale from cold on fresh sandboxes: ours and the floor and Karmada at default QPS on one, Karmada raised on another. */
async function scalePhase(o: BenchOptions, dir: string, results: Results): Promise<void> {
  const runs = [];
  phase(
    `scale: a fresh sandbox for mcs-bridge, the bulk floor and Karmada at default QPS (${o.scale} MCS each)`,
  );
  let sb = await benchSandbox(dir, o.portBase, log);
  const [ours, karmadaDefault] = contenders(sb, o);
  if (!ours || !karmadaDefault) throw new Error('no contenders');
  const oursSetup = await setUpScale(sb, ours.hub, o.scale, 'bench-scale-ours');
  const karmadaSetup = await setUpScale(sb, karmadaDefault.hub, o.scale, 'bench-scale-karmada');
  // The cap bounds Karmada's runs, which at default QPS cannot converge in any cap `make bench`
  // can afford; ours gets a generous one, so a busy machine does not turn a slow run into a miss.
  const oursCap = Math.max(600, o.scaleCap);
  phase(`scale: mcs-bridge from cold, ${oursSetup.sourceSlices} slices to 2 consumers (cap ${oursCap} s)`);
  runs.push(await runScale(sb, ours, oursSetup, oursCap, log));
  phase('scale: the bulk floor writer on the same slices');
  const floor = await runScaleFloor(sb, oursSetup);
  phase(`scale: Karmada at default QPS from cold (cap ${o.scaleCap} s)`);
  runs.push(await runScale(sb, karmadaDefault, karmadaSetup, o.scaleCap, log));
  phase('scale: a fresh sandbox for Karmada at raised QPS');
  sb = await benchSandbox(dir, o.portBase, log);
  const raised = contenders(sb, o)[2] as Contender;
  const raisedSetup = await setUpScale(sb, raised.hub, o.scale, 'bench-scale-karmada');
  phase(`scale: Karmada at QPS ${o.raisedQps} from cold (cap ${o.scaleCap} s)`);
  runs.push(await runScale(sb, raised, raisedSetup, o.scaleCap, log));
  await Sandbox.down({ dir, log: () => {} });
  results.scale = { runs, floor };
}

async function main(): Promise<number> {
  const o = parseBenchOptions(process.argv.slice(2), process.env);
  if (!o) {
    process.stdout.write(HELP);
    return 0;
  }
  const dir = o.dir ? path.resolve(o.dir) : path.join(REPO_ROOT, '.sandbox/bench-karmada');
  const results: Results = {
    ...machineInfo(),
    ...(await provenance()),
    loadAverage: os.loadavg(),
    durationSeconds: 0,
    options: o,
    contenders: contenderInfo({ qps: o.raisedQps, burst: Math.round(o.raisedQps * 1.5) }),
  };
  phase(
    `phases ${o.phases.join(', ')}; load average ${os.loadavg()[0]?.toFixed(1)} on ${os.cpus().length} cores`,
  );
  try {
    if (o.phases.some((p) => p !== 'scale')) await sharedPhases(o, dir, results);
    if (o.phases.includes('scale')) await scalePhase(o, dir, results);
  } finally {
    await Sandbox.down({ dir, log: () => {} }).catch(() => {});
  }
  results.durationSeconds = (performance.now() - started) / 1000;
  const full: KarmadaResults = { ...results, targets: judgeTargets(results) };
  log('');
  log(renderKarmadaTables(full));
  await recordResults(o.recordAs, full);
  phase(
    `done; figures under "${o.recordAs}" in .results/bench-results.json (make bench-report renders them into docs/)`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench-karmada failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
