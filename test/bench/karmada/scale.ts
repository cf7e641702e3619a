/**
 * Scale from cold, side by side: N MCS (one Service each, 1–3 source slices of 10–100
 * endpoints in member1, as the syncer bench makes them) to two consumers, member2 and member3.
 * The objects are made while the contender stands down; then it starts, and the clock runs
 * until every copy is in both consumers, or until the cap.
 */
import type { ClusterName } from '../../sandbox/layout.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { cpuSeconds } from '../procfs.ts';
import { CopyWatcher } from '../syncer/copies.ts';
import { clients, endpoints, exportService, namespaceEverywhere, sourceSlice } from '../syncer/fixtures.ts';
import { runFloorBulk } from '../syncer/programs.ts';
import { shape } from '../syncer/scale.ts';
import { inParallel } from '../syncer/stats.ts';
import type { Contender, ContenderId } from './contenders.ts';
import type { Writes } from './writes.ts';

/** The objects of one scale run, made and waiting for their contender. */
export interface ScaleSetup {
  namespace: string;
  mcs: number;
  sourceSlices: number;
  sourceEndpoints: number;
  setupSeconds: number;
}

/** What one scale run measured. */
export interface ScaleRun extends ScaleSetup {
  contender: ContenderId;
  copiesExpected: number;
  capSeconds: number;
  converged: boolean;
  /** To converged, or the cap when it did not converge. */
  seconds: number;
  copiesAtEnd: number;
  /** Copies in place every few seconds, to show the pace of a run that hit the cap. */
  progress: Array<{ seconds: number; copies: number }>;
  writes: Writes;
  peakRssMb: number;
  peakRssByProcessMb: Record<string, number>;
  cpuSeconds: number;
  hubApiserverCpuSeconds: number;
}

const CONSUMERS = ['member2', 'member3'] as const;

/** Makes `n` Services with MCS on `hubCluster` (the contender's hub) and their source slices in member1. */
export async function setUpScale(
  sb: Sandbox,
  hubCluster: ClusterName,
  n: number,
  namespace: string,
): Promise<ScaleSetup> {
  await namespaceEverywhere(sb, namespace, [hubCluster, 'member1', ...CONSUMERS]);
  const hub = clients(sb, hubCluster);
  const member1 = clients(sb, 'member1');
  const started = performance.now();
  let slices = 0;
  let eps = 0;
  await inParallel(
    Array.from({ length: n }, (_, i) => i),
    32,
    async (i) => {
      const name = `svc-${i}`;
      await exportService(hub, namespace, name, ['member1'], [...CONSUMERS]);
      for (const [j, count] of shape(i).entries()) {
        const first = `10.10.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`;
        await member1.discovery.createNamespacedEndpointSlice({
          namespace,
          body: sourceSlice(`${name}-${j}`, name, endpoints(first, count)),
        });
        slices++;
        eps += count;
      }
    },
  );
  return {
    namespace,
    mcs: n,
    sourceSlices: slices,
    sourceEndpoints: eps,
    setupSeconds: (performance.now() - started) / 1000,
  };
}

/** Starts the contender on the objects of `setup` and measures until converged or `capSeconds`. */
export async function runScale(
  sb: Sandbox,
  contender: Contender,
  setup: ScaleSetup,
  capSeconds: number,
  log: (s: string) => void,
): Promise<ScaleRun> {
  const watchers = CONSUMERS.map(
    (m) =>
      new CopyWatcher(
        clients(sb, m).kc,
        setup.namespace,
        `endpointslice.kubernetes.io/managed-by=${contender.managedBy}`,
      ),
  );
  for (const w of watchers) await w.start();
  const hubPid = await contender.hubApiserverPid();
  const hubCpuBefore = await cpuSeconds(hubPid);
  const expected = setup.sourceSlices * CONSUMERS.length;
  const copies = () => watchers.reduce((n, w) => n + w.count, 0);
  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const progress: ScaleRun['progress'] = [];
  try {
    await contender.start(['member1', ...CONSUMERS]);
    let lastNote = 0;
    while (copies() < expected && elapsed() < capSeconds) {
      if (elapsed() - lastNote >= 5) {
        lastNote = elapsed();
        progress.push({ seconds: Math.round(lastNote * 10) / 10, copies: copies() });
        if (progress.length % 6 === 0)
          log(`    ${contender.id}: ${copies()} of ${expected} copies after ${lastNote.toFixed(0)} s`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const seconds = elapsed();
    const converged = copies() >= expected;
    progress.push({ seconds: Math.round(seconds * 10) / 10, copies: copies() });
    const usage = await contender.usage();
    const peaks = Object.values(usage.peakRssMb);
    return {
      ...setup,
      contender: contender.id,
      copiesExpected: expected,
      capSeconds,
      converged,
      seconds: converged ? seconds : capSeconds,
      copiesAtEnd: copies(),
      progress,
      writes: usage.writes,
      peakRssMb: peaks.reduce((a, b) => a + b, 0),
      peakRssByProcessMb: usage.peakRssMb,
      cpuSeconds: usage.cpuSeconds,
      hubApiserverCpuSeconds: (await cpuSeconds(hubPid)) - hubCpuBefore,
    };
  } finally {
    for (const w of watchers) w.stop();
    await contender.stop();
  }
}

/** The bare bulk writer on the same source slices (floor-bulk.ts), into a namespace of its own. */
export async function runScaleFloor(
  sb: Sandbox,
  setup: ScaleSetup,
): Promise<{ seconds: number; writes: number }> {
  const target = `${setup.namespace}-floor`;
  await namespaceEverywhere(sb, target, ['member1', ...CONSUMERS]);
  return runFloorBulk(sb, setup.namespace, target);
}
