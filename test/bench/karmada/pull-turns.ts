/**
 * The contenders of `make bench-karmada-pull` and their turns on one Karmada sandbox where
 * member2 joined in Pull mode and member3 in Push mode:
 * - mcs-bridge-pull / karmada-pull: member1 → member2 (Pull), ours as Works through the hub,
 *   Karmada's with its MultiClusterService gate on in the controller manager and member2's agent;
 * - mcs-bridge-push / bare-copier: member1 → member3 (Push), the floor in the same place.
 * Both mcs-bridge and Karmada read every MultiClusterService of the hub, so a contender's MCS
 * objects exist only during its turn: made at its start, deleted (and their finalizers done
 * with) at its end. Each contender has a namespace of its own.
 */
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { ClusterName } from '../../sandbox/layout.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { CopyWatcher } from '../syncer/copies.ts';
import { clients, endpoints, FLOOR_LABEL, namespaceEverywhere, sourceSlice } from '../syncer/fixtures.ts';
import { type BenchSyncer, startBenchSyncer, startFloorCopier } from '../syncer/programs.ts';
import { inParallel, markerAddress } from '../syncer/stats.ts';
import { type Arena, CountingWriter, copyName } from './arena.ts';
import type { PullContenderId, PullSample } from './pull-figures.ts';
import { standUp, type TurnTaker, take } from './turns.ts';
import type { WorkTap } from './work-tap.ts';

const MCS = { group: 'networking.karmada.io', version: 'v1alpha1', plural: 'multiclusterservices' };
const KARMADA_DISPATCH = 'endpointslice-dispatch-controller.karmada.io';
/** How long a contender's MCS objects may take to go at the end of its turn (finalizers included). */
const GONE_MS = 300_000;

/** One contender's objects: its Services, source slices in member1, and the watch on its copies. */
export interface PullArena extends Arena {
  readonly id: PullContenderId;
  readonly consumer: ClusterName;
  /** The names of its hub Services, whose MCS objects exist during its turns (none for the copier). */
  readonly services: readonly string[];
  readonly copyOf: (slice: string) => string;
}

/** Makes a contender's namespace, `1 + churn` hub Services (without MCS) and their source slices in member1. */
export async function setUpPullArena(sb: Sandbox, id: PullContenderId, churn: number): Promise<PullArena> {
  const namespace = `bench-${id}`;
  const floor = id === 'bare-copier';
  const consumer: ClusterName = id.endsWith('-pull') ? 'member2' : 'member3';
  await namespaceEverywhere(sb, namespace, ['hub', 'member1', consumer]);
  const hub = clients(sb, 'hub');
  const member1 = clients(sb, 'member1');
  const writer = new CountingWriter(member1, namespace);
  const services = ['single', ...Array.from({ length: churn }, (_, i) => `churn-${i}`)];
  const made: V1EndpointSlice[] = [];
  await inParallel(services, 4, async (service) => {
    if (!floor)
      await hub.core.createNamespacedService({
        namespace,
        body: { metadata: { name: service }, spec: { ports: [{ name: 'http', port: 80 }] } },
      });
    const created = await member1.discovery.createNamespacedEndpointSlice({
      namespace,
      body: sourceSlice(`${service}-src`, service, endpoints('10.10.1.1', 10), floor),
    });
    writer.created(created);
    made.push(created);
  });
  const byName = (n: string) => made.find((s) => s.metadata?.name === n) as V1EndpointSlice;
  // In a Pull member ours are labelled as Karmada's dispatcher's too (docs/pull-mode.md).
  const managedBy = floor
    ? 'floor.bench.mcs-bridge.io'
    : id === 'mcs-bridge-push'
      ? 'syncer.mcs-bridge.io'
      : KARMADA_DISPATCH;
  const watcher = new CopyWatcher(
    clients(sb, consumer).kc,
    namespace,
    `endpointslice.kubernetes.io/managed-by=${managedBy}`,
  );
  await watcher.start();
  return {
    id,
    namespace,
    consumer,
    writer,
    single: byName('single-src'),
    churn: services.slice(1).map((s) => byName(`${s}-src`)),
    watcher,
    copies: services.length,
    marker: 0,
    services: floor ? [] : services,
    copyOf: floor ? (s) => `floor-${s}` : copyName,
  };
}

async function createMcs(sb: Sandbox, a: PullArena): Promise<void> {
  const custom = clients(sb, 'hub').custom;
  await inParallel([...a.services], 8, async (name) => {
    await custom.createNamespacedCustomObject({
      ...MCS,
      namespace: a.namespace,
      body: {
        apiVersion: `${MCS.group}/${MCS.version}`,
        kind: 'MultiClusterService',
        metadata: { name },
        spec: {
          types: ['CrossCluster'],
          providerClusters: [{ name: 'member1' }],
          consumerClusters: [{ name: a.consumer }],
        },
      },
    });
  });
}

/** Deletes the arena's MCS objects and waits until they are gone: whoever serves them has cleaned up. */
async function deleteMcs(sb: Sandbox, a: PullArena): Promise<void> {
  const custom = clients(sb, 'hub').custom;
  await inParallel([...a.services], 8, async (name) => {
    await custom
      .deleteNamespacedCustomObject({ ...MCS, namespace: a.namespace, name })
      .catch((err: { code?: number }) => {
        if (err.code !== 404) throw err;
      });
  });
  const deadline = Date.now() + GONE_MS;
  for (;;) {
    const left = (
      (await custom.listNamespacedCustomObject({ ...MCS, namespace: a.namespace })) as { items: unknown[] }
    ).items.length;
    if (left === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${left} MultiClusterServices of ${a.namespace} still there after ${GONE_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** mcs-bridge with Karmada's Clusters as members (member2 through its Works, member3 directly); Karmada's gate off. */
export function oursSyncer(
  sb: Sandbox,
  arena: PullArena,
  /** Gets the syncer's reconciles by result at the end of each turn (conflicts: a guarded write met a newer version). */
  onReconciles: (byResult: Record<string, number>) => void = () => {},
): TurnTaker {
  let syncer: BenchSyncer | undefined;
  let starts = 0;
  return {
    id: arena.id,
    async start() {
      if (sb.karmada?.multiClusterService) await sb.setKarmadaOptions({ multiClusterService: false });
      syncer = await startBenchSyncer(sb, `bench-syncer-${arena.id}-${++starts}`, 'karmada');
      await createMcs(sb, arena);
    },
    async stop() {
      const text = (await syncer?.metricsText().catch(() => '')) ?? '';
      onReconciles(
        Object.fromEntries(
          [...text.matchAll(/^mcs_bridge_syncer_reconciles_total\{result="([a-z]+)"\} (\d+)/gm)].map((m) => [
            m[1] ?? '',
            Number(m[2]),
          ]),
        ),
      );
      await deleteMcs(sb, arena);
      await syncer?.program.stop();
      syncer = undefined;
    },
  };
}

/** Karmada's own MCS path, its gate on in the controller manager and in member2's agent, at default QPS. */
export function karmadaPull(sb: Sandbox, arena: PullArena): TurnTaker {
  return {
    id: arena.id,
    async start() {
      await sb.setKarmadaOptions({ multiClusterService: true });
      await createMcs(sb, arena);
    },
    async stop() {
      await deleteMcs(sb, arena);
      await sb.setKarmadaOptions({ multiClusterService: false });
    },
  };
}

/** The bare copier (one watch in member1, one write per change in member3). */
export function bareCopier(sb: Sandbox, arena: PullArena): TurnTaker {
  let copier: { stop(): void } | undefined;
  return {
    id: arena.id,
    async start() {
      copier = await startFloorCopier(sb, arena.namespace, `${FLOOR_LABEL}=true`, arena.consumer);
    },
    async stop() {
      copier?.stop();
      copier = undefined;
    },
  };
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'lost'> =>
  Promise.race([p, new Promise<'lost'>((r) => setTimeout(() => r('lost'), ms).unref())]);

/** One latency turn: stand up, warm up, `n` changes one at a time (split at the hub's Work where `tap` sees it), stand down. */
export async function pullLatencyTurn(
  arena: PullArena,
  contender: TurnTaker,
  n: number,
  warmup: number,
  tap: WorkTap | undefined,
): Promise<{ samples: PullSample[]; lost: number; coalesced: number }> {
  await standUp(arena, contender, [], warmup, arena.copyOf);
  const out = { samples: [] as PullSample[], lost: 0, coalesced: 0 };
  try {
    const copy = arena.copyOf(arena.single.metadata?.name ?? '');
    const first = take(arena, n);
    for (let i = 0; i < n; i++) {
      const address = markerAddress([10, 10], first + i);
      const arrival = arena.watcher.arrival(copy, address);
      const acked = await arena.writer.write(arena.single, address, (arena.single.endpoints ?? []).length);
      const seen = await within(arrival, 30_000);
      if (seen === 'lost') out.lost++;
      else if (seen === undefined) out.coalesced++;
      else {
        const work = tap?.seen(arena.namespace, copy, address);
        out.samples.push({
          totalMs: seen - acked,
          ...(work !== undefined ? { toWorkMs: work - acked } : {}),
        });
      }
    }
    return out;
  } finally {
    await contender.stop();
  }
}
