/**
 * `make bench-syncer` (part of `make bench`): the syncer against the floor of the stack, on
 * sandboxes of its own.
 * 1. Propagation latency: source slice write acknowledged in member1 → copy seen in
 *    member2, one change at a time, for the syncer and for a bare copier (the floor).
 * 2. Under churn: the same while `--churn-rate` changes a second run over `--churn-services`
 *    Services for `--churn-seconds`.
 * 3. Scale: N MCS to two consumers from a cold start; peak RSS, writes; then writes at rest.
 * 4. Write cost: API writes per source slice change (the floor: one per consumer).
 * Prints a table and writes the figures under `syncer` in bench-results.json.
 *
 *   node --import tsx test/bench/syncer.ts [--changes 500] [--churn-rate 50] [--churn-seconds 60]
 *     [--churn-services 200] [--scales 1000,5000] [--scale-floor 1000,5000] [--rest-seconds 60]
 *     [--rounds 3 (interleaved turns of the syncer and the floor; changes and churn split among them)]
 *     [--port-base N (default $MCS_BENCH_PORT_BASE or 17600)] [--dir DIR (default .sandbox/bench)]
 */

import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureCrd } from '../e2e/harness/syncer.ts';
import { REPO_ROOT, Sandbox } from '../sandbox/sandbox.ts';
import { interleave, split } from './karmada/schedule.ts';
import { cpuSeconds } from './procfs.ts';
import { machineInfo, provenance, recordResults } from './results.ts';
import { CopyWatcher } from './syncer/copies.ts';
import {
  clients,
  endpoints,
  exportService,
  FLOOR_LABEL,
  namespaceEverywhere,
  sourceSlice,
} from './syncer/fixtures.ts';
import { startBenchSyncer, startFloorCopier } from './syncer/programs.ts';
import { churn, type LatencyRun, SourceWriter, sequential } from './syncer/propagation.ts';
import { type ScaleRun, scale } from './syncer/scale.ts';
import { benchPortBase, inParallel, type Percentiles, percentiles, slowSamples } from './syncer/stats.ts';

const HELP = `Usage: node --import tsx test/bench/syncer.ts [options]   (make bench-syncer)

The syncer against the floor of the stack on a sandbox of its own: propagation latency one change
at a time and under churn (against a bare copier), N MCS from cold (against a bare bulk writer),
writes at rest and per change. Figures go under "syncer" in .results/bench-results.json; make
bench-report renders them into docs/performance.md.

  --changes N          one-at-a-time changes, split among the rounds (1000)
  --churn-rate N       changes/s under churn (50)
  --churn-seconds N    how long churn lasts (60)
  --churn-services N   Services the churn changes (200)
  --scales LIST        MCS counts from cold, comma-separated (1000,5000)
  --scale-floor LIST   the counts the bare bulk writer also runs (1000,5000)
  --rest-seconds N     how long writes at rest are counted (60)
  --rounds N           interleaved turns of the syncer and the floor (3)
  --port-base N        the sandbox's ports ($MCS_BENCH_PORT_BASE, 17600)
  --dir DIR            the sandbox's folder (.sandbox/bench)
  -h, --help           this text
`;

const { values: o } = parseArgs({
  options: {
    help: { type: 'boolean', short: 'h' },
    changes: { type: 'string', default: '1000' },
    'churn-rate': { type: 'string', default: '50' },
    'churn-seconds': { type: 'string', default: '60' },
    'churn-services': { type: 'string', default: '200' },
    scales: { type: 'string', default: '1000,5000' },
    'scale-floor': { type: 'string', default: '1000,5000' },
    'rest-seconds': { type: 'string', default: '60' },
    rounds: { type: 'string', default: '3' },
    'port-base': { type: 'string', default: process.env.MCS_BENCH_PORT_BASE ?? '17600' },
    dir: { type: 'string' },
  },
});
if (o.help) {
  process.stdout.write(HELP);
  process.exit(0);
}
const CHANGES = Number(o.changes);
const CHURN = {
  rate: Number(o['churn-rate']),
  seconds: Number(o['churn-seconds']),
  services: Number(o['churn-services']),
};
const SCALES = (o.scales ?? '').split(',').filter(Boolean).map(Number);
const SCALE_FLOOR = new Set((o['scale-floor'] ?? '').split(',').filter(Boolean).map(Number));
const REST = Number(o['rest-seconds']);
const ROUNDS = Number(o.rounds);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) {
  process.stderr.write(`syncer bench: --rounds '${o.rounds}' is not a whole number of at least 1\n`);
  process.exit(2);
}
const DIR = o.dir ? path.resolve(o.dir) : path.join(REPO_ROOT, '.sandbox/bench');
let BASE_PORT: number;
try {
  BASE_PORT = benchPortBase(o['port-base']);
} catch (err) {
  process.stderr.write(`syncer bench: ${(err as Error).message}\n`);
  process.exit(2);
}
const log = (s: string) => process.stdout.write(`${s}\n`);

async function freshSandbox(): Promise<Sandbox> {
  await Sandbox.down({ dir: DIR, log: () => {} });
  // Generous: on a busy machine the API servers take minutes to come up.
  const sb = await Sandbox.up({
    dir: DIR,
    basePort: BASE_PORT,
    extraMembers: ['member3'],
    timeoutMs: 600_000,
    log: () => {},
  });
  await ensureCrd(sb);
  return sb;
}

const COPY_SELECTOR = (managedBy: string) => `endpointslice.kubernetes.io/managed-by=${managedBy}`;

/** Latency (one at a time) and write cost, then churn, for the syncer and for the floor, in interleaved turns. */
async function propagation(sb: Sandbox) {
  const ns = 'bench-latency';
  await namespaceEverywhere(sb, ns, ['hub', 'member1', 'member2']);
  const hub = clients(sb, 'hub');
  const member1 = clients(sb, 'member1');
  const writer = new SourceWriter(member1, ns);
  const make = async (name: string, service: string, floor: boolean, count = 10) => {
    const created = await member1.discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: sourceSlice(name, service, endpoints('10.10.1.1', count), floor),
    });
    writer.created(created);
    return created;
  };
  // Sources for the syncer: one Service for the sequential run, CHURN.services for churn.
  await exportService(hub, ns, 'lat', ['member1'], ['member2']);
  const latSlice = await make('lat-src', 'lat', false);
  const churnNames = Array.from({ length: CHURN.services }, (_, i) => `churn-${i}`);
  const syncerChurn = [];
  await inParallel(churnNames, 16, async (name) => {
    await exportService(hub, ns, name, ['member1'], ['member2']);
  });
  for (const name of churnNames) syncerChurn.push(await make(`${name}-src`, name, false));
  // Sources for the floor (no MCS: the floor copier copies what carries the floor label).
  const floorSlice = await make('flat-src', 'flat', true);
  const floorChurn = [];
  for (const name of churnNames) floorChurn.push(await make(`f${name}-src`, `f${name}`, true));

  // The two contenders take turns (syncer, floor; floor, syncer; …), each turn a share of the
  // changes and of the churn, so that a burst of the shared machine falls on both alike.
  const contenders = [
    {
      id: 'syncer' as const,
      watcher: new CopyWatcher(clients(sb, 'member2').kc, ns, COPY_SELECTOR('syncer.mcs-bridge.io')),
      slice: latSlice,
      copy: 'member1-lat-src',
      churnSlices: syncerChurn,
      churnCopy: (s: string) => `member1-${s}`,
      start: async () => {
        const syncer = await startBenchSyncer(sb, 'bench-syncer-latency', ['member1', 'member2']);
        return {
          stop: () => syncer.program.stop(),
          writes: () => syncer.writes(),
          cpu: () => cpuSeconds(syncer.program.pid),
        };
      },
    },
    {
      id: 'floor' as const,
      watcher: new CopyWatcher(clients(sb, 'member2').kc, ns, COPY_SELECTOR('floor.bench.mcs-bridge.io')),
      slice: floorSlice,
      copy: 'floor-flat-src',
      churnSlices: floorChurn,
      churnCopy: (s: string) => `floor-${s}`,
      start: async () => {
        const floor = await startFloorCopier(sb, ns, `${FLOOR_LABEL}=true`);
        return { stop: async () => floor.stop(), writes: undefined, cpu: undefined };
      },
    },
  ];
  for (const c of contenders) await c.watcher.start();
  const runs = new Map<
    string,
    { sequential: LatencyRun[]; churn: LatencyRun[]; writes: number; changes: number; cpuSeconds: number }
  >(contenders.map((c) => [c.id, { sequential: [], churn: [], writes: 0, changes: 0, cpuSeconds: 0 }]));
  const changes = split(CHANGES, ROUNDS);
  const churnSeconds = split(CHURN.seconds, ROUNDS);
  for (const turn of interleave(contenders, ROUNDS)) {
    const c = turn.contender;
    const run = runs.get(c.id);
    if (!run) throw new Error(`no run for ${c.id}`);
    const n = changes[turn.round] ?? 0;
    const seconds = churnSeconds[turn.round] ?? 0;
    const program = await c.start();
    try {
      await c.watcher.until(1 + CHURN.services, 120_000);
      await sequential(writer, c.slice, c.copy, c.watcher, 20, 100_000); // warm-up
      log(
        `  round ${turn.round + 1}/${ROUNDS}, ${c.id}: ${n} changes one at a time, then ${seconds} s of churn at ${CHURN.rate}/s`,
      );
      const before = program.writes ? await program.writes() : 0;
      if (n > 0) run.sequential.push(await sequential(writer, c.slice, c.copy, c.watcher, n, 0));
      if (program.writes) run.writes += (await program.writes()) - before;
      run.changes += n;
      if (seconds > 0)
        run.churn.push(
          await churn(writer, c.churnSlices, c.churnCopy, c.watcher, CHURN.rate, seconds, 10_000),
        );
      // The whole turn: start, warm-up, the changes and the churn.
      if (program.cpu) run.cpuSeconds += await program.cpu();
    } finally {
      await program.stop();
    }
  }
  for (const c of contenders) c.watcher.stop();
  const merged = (list: LatencyRun[]): LatencyRun => ({
    samplesMs: list.flatMap((r) => r.samplesMs),
    coalesced: list.reduce((a, r) => a + r.coalesced, 0),
    lost: list.reduce((a, r) => a + r.lost, 0),
  });
  const results: Record<
    string,
    { sequential: LatencyRun; churn: LatencyRun; writesPerChange?: number; cpuSeconds: number }
  > = {};
  for (const [id, run] of runs) {
    results[id] = {
      sequential: merged(run.sequential),
      churn: merged(run.churn),
      writesPerChange: id === 'syncer' ? run.writes / Math.max(1, run.changes) : 1,
      cpuSeconds: run.cpuSeconds,
    };
  }
  return results;
}

const fmt = (p: Percentiles) => `${p.p50.toFixed(1)} / ${p.p90.toFixed(1)} / ${p.p99.toFixed(1)} ms`;

async function main() {
  const started = Date.now();
  log('syncer bench: propagation latency and churn');
  let sb = await freshSandbox();
  const prop = await propagation(sb);
  const scales: ScaleRun[] = [];
  for (const n of SCALES) {
    log(`syncer bench: scale, ${n} MCS`);
    sb = await freshSandbox();
    scales.push(await scale(sb, n, n === Math.max(...SCALES) ? REST : 0, log, SCALE_FLOOR.has(n)));
  }
  await Sandbox.down({ dir: DIR, log: () => {} });

  const summary = (r: LatencyRun) => ({
    ...percentiles(r.samplesMs),
    coalesced: r.coalesced,
    lost: r.lost,
    over100ms: slowSamples(r.samplesMs, 100),
  });
  const syncer = prop.syncer;
  const floor = prop.floor;
  if (!syncer || !floor) throw new Error('a propagation phase did not run');
  const s = { sequential: summary(syncer.sequential), churn: summary(syncer.churn) };
  const f = { sequential: summary(floor.sequential), churn: summary(floor.churn) };
  const ratios = {
    p50: s.sequential.p50 / f.sequential.p50,
    p99UnderChurn: s.churn.p99 / f.churn.p99,
  };
  const targets = {
    p50WithinOnePointThreeOfFloor: ratios.p50 <= 1.3,
    p99UnderChurnWithinTwiceFloor: ratios.p99UnderChurn <= 2,
    writesPerChangeEqualsConsumers: Math.abs((syncer.writesPerChange ?? Number.NaN) - 1) < 0.05,
    // A change that met our own copy newer than the cache cost a fixed 500 ms retry once; the
    // claim needs 1,000 changes (bench-karmada makes them; `make bench` runs 300 here).
    ...(s.sequential.count >= 1000 ? { noOneAtATimeChangeOver100ms: s.sequential.over100ms === 0 } : {}),
    ...Object.fromEntries(
      scales.flatMap((r) => [
        // Issue 15: against the bulk floor at the same scale (it replaced "5,000 in under 60 s").
        ...(r.floor ? [[`converge${r.mcs}Within1.2xFloor`, r.convergeSeconds <= 1.2 * r.floor.seconds]] : []),
        [`peakRss${r.mcs}Under300MB`, r.peakRssMb < 300],
        ...(r.restSeconds > 0 ? [[`zeroWritesAtRest${r.mcs}`, r.writesAtRest === 0]] : []),
      ]),
    ),
  };
  log('');
  log('| measure | syncer | floor (bare copier) | ratio |');
  log('|---|---|---|---|');
  log(
    `| latency p50 / p90 / p99, one change at a time (${CHANGES}) | ${fmt(s.sequential)} | ${fmt(f.sequential)} | p50 ${ratios.p50.toFixed(2)}× |`,
  );
  log(
    `| latency under churn, ${CHURN.rate}/s over ${CHURN.services} Services for ${CHURN.seconds} s | ${fmt(s.churn)} | ${fmt(f.churn)} | p99 ${ratios.p99UnderChurn.toFixed(2)}× |`,
  );
  log(
    `| one-at-a-time changes over 100 ms (of ${s.sequential.count}) | ${s.sequential.over100ms} (max ${s.sequential.max.toFixed(1)} ms) | ${f.sequential.over100ms} (max ${f.sequential.max.toFixed(1)} ms) | |`,
  );
  log(`| API writes per source slice change (1 consumer) | ${syncer.writesPerChange?.toFixed(2)} | 1 | |`);
  log(
    `| CPU seconds of the syncer's turns (start, warm-up, changes, churn) | ${syncer.cpuSeconds.toFixed(1)} | | |`,
  );
  for (const r of scales) {
    log(
      `| ${r.mcs} MCS (${r.sourceSlices} slices, ${r.copiesExpected} copies): cold start to converged | ${r.convergeSeconds.toFixed(1)} s, ${r.cpuSecondsToConverge.toFixed(1)} CPU s, peak RSS ${r.peakRssMb.toFixed(0)} MB (JS heap in use at convergence, garbage included: ${r.heapUsedMb.toFixed(0)} MB), ${r.writesToConverge} writes${r.restSeconds ? `; ${r.writesAtRest} writes in ${r.restSeconds} s at rest` : ''} | ${r.floor ? `${r.floor.seconds.toFixed(1)} s, ${r.floor.writes} writes | ${(r.convergeSeconds / r.floor.seconds).toFixed(2)}×` : 'not run (--scale-floor) |'} |`,
    );
  }
  log('');
  for (const [name, ok] of Object.entries(targets)) log(`${ok ? 'met    ' : 'MISSED '} ${name}`);
  await recordResults('syncer', {
    ...machineInfo(),
    ...(await provenance()),
    durationSeconds: (Date.now() - started) / 1000,
    propagation: {
      syncer: s,
      floor: f,
      ratios,
      writesPerChange: syncer.writesPerChange,
      cpuSeconds: syncer.cpuSeconds,
    },
    scale: scales,
    targets,
  });
}

main().catch(async (err: Error) => {
  process.stderr.write(`syncer bench failed: ${err.stack ?? err.message}\n`);
  await Sandbox.down({ dir: DIR, log: () => {} }).catch(() => {});
  process.exit(1);
});
