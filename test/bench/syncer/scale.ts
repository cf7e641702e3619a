/**
 * Scale: N MCS (one Service each, 1–3 source slices of 10–100 endpoints in member1) to two
 * consumers, member2 and member3. From a cold start of the syncer to every copy in place;
 * its peak memory and the writes it made; then a time at rest, which must cost no write.
 */

import type { Sandbox } from '../../sandbox/sandbox.ts';
import { cpuSeconds } from '../procfs.ts';
import { CopyWatcher } from './copies.ts';
import { clients, endpoints, exportService, namespaceEverywhere, sourceSlice } from './fixtures.ts';
import { runFloorBulk, startBenchSyncer } from './programs.ts';
import { inParallel } from './stats.ts';

/** What a scale run measured. */
export interface ScaleRun {
  mcs: number;
  sourceSlices: number;
  sourceEndpoints: number;
  copiesExpected: number;
  setupSeconds: number;
  convergeSeconds: number;
  peakRssMb: number;
  /** CPU seconds (user + system) the syncer used from its start to converged. */
  cpuSecondsToConverge: number;
  /** JS heap in use when converged, garbage not yet collected included (not the live heap). */
  heapUsedMb: number;
  writesToConverge: number;
  restSeconds: number;
  writesAtRest: number;
  /** The bare bulk writer making the same Services and copies (floor-bulk.ts), where it ran. */
  floor?: { seconds: number; writes: number };
}

const NAMESPACE = 'bench-scale';
const FLOOR_NAMESPACE = 'bench-scale-floor';

/** The source slices of MCS i: 1–3 slices of 10–100 endpoints, the same every run. */
export function shape(i: number): number[] {
  return Array.from({ length: 1 + (i % 3) }, (_, j) => 10 + ((i * 37 + j * 53) % 91));
}

/** Runs one scale measurement on a fresh sandbox with member3 running. */
export async function scale(
  sb: Sandbox,
  n: number,
  restSeconds: number,
  log: (s: string) => void,
  withFloor = true,
): Promise<ScaleRun> {
  const hub = clients(sb, 'hub');
  const member1 = clients(sb, 'member1');
  await namespaceEverywhere(sb, NAMESPACE, ['hub', 'member1', 'member2', 'member3']);
  const setupStart = performance.now();
  let slices = 0;
  let eps = 0;
  await inParallel(
    Array.from({ length: n }, (_, i) => i),
    64,
    async (i) => {
      const name = `svc-${i}`;
      await exportService(hub, NAMESPACE, name, ['member1'], ['member2', 'member3']);
      for (const [j, count] of shape(i).entries()) {
        const first = `10.10.${100 + Math.floor(i / 250)}.${(i % 250) + 1}`;
        await member1.discovery.createNamespacedEndpointSlice({
          namespace: NAMESPACE,
          body: sourceSlice(`${name}-${j}`, name, endpoints(first, count)),
        });
        slices++;
        eps += count;
      }
    },
  );
  const setupSeconds = (performance.now() - setupStart) / 1000;
  log(`  ${n} MCS, ${slices} source slices, ${eps} endpoints set up in ${setupSeconds.toFixed(0)} s`);

  const selector = 'endpointslice.kubernetes.io/managed-by=syncer.mcs-bridge.io';
  const watchers = (['member2', 'member3'] as const).map(
    (m) => new CopyWatcher(clients(sb, m).kc, NAMESPACE, selector),
  );
  for (const w of watchers) await w.start();
  const start = performance.now();
  const syncer = await startBenchSyncer(sb, `bench-syncer-scale-${n}`, ['member1', 'member2', 'member3']);
  try {
    for (const w of watchers) await w.until(slices, 600_000);
    while ((await syncer.queueDepth()) > 0) await new Promise((r) => setTimeout(r, 50));
    const convergeSeconds = (performance.now() - start) / 1000;
    const writesToConverge = await syncer.writes();
    const cpuSecondsToConverge = await cpuSeconds(syncer.program.pid);
    const heapUsedMb = await syncer.heapUsedMb();
    log(
      `  converged in ${convergeSeconds.toFixed(1)} s with ${writesToConverge} writes; resting ${restSeconds} s`,
    );
    await new Promise((r) => setTimeout(r, restSeconds * 1000));
    const writesAtRest = (await syncer.writes()) - writesToConverge;
    const peakRssMb = await syncer.peakRssMb();
    await syncer.program.stop();
    let floor: ScaleRun['floor'];
    if (withFloor) {
      log('  the floor: a bare bulk writer making the same Services and copies');
      await namespaceEverywhere(sb, FLOOR_NAMESPACE, ['member1', 'member2', 'member3']);
      floor = await runFloorBulk(sb, NAMESPACE, FLOOR_NAMESPACE);
      log(`  floor: ${floor.writes} writes in ${floor.seconds.toFixed(1)} s`);
    }
    return {
      mcs: n,
      sourceSlices: slices,
      sourceEndpoints: eps,
      copiesExpected: slices * 2,
      setupSeconds,
      convergeSeconds,
      peakRssMb,
      cpuSecondsToConverge,
      heapUsedMb,
      writesToConverge,
      restSeconds,
      writesAtRest,
      floor,
    };
  } finally {
    for (const w of watchers) w.stop();
    await syncer.program.stop();
  }
}
