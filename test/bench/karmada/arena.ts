/**
 * The shared sandbox of the side-by-side benchmark, and what each contender finds on it: a
 * Karmada sandbox with member3 joined as a third Karmada Cluster, the MultiClusterService CRD on
 * karmada-host (ours' hub), and per contender a namespace holding its Services, MCS, source
 * slices in member1 and a watch on its copies in member2.
 */
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { ensureCrd } from '../../e2e/harness/syncer.ts';
import { joinMember, waitClustersReady } from '../../sandbox/karmada.ts';
import { Sandbox } from '../../sandbox/sandbox.ts';
import { cpuSeconds } from '../procfs.ts';
import { CopyWatcher } from '../syncer/copies.ts';
import { clients, endpoints, exportService, namespaceEverywhere, sourceSlice } from '../syncer/fixtures.ts';
import { SourceWriter } from '../syncer/propagation.ts';
import { inParallel } from '../syncer/stats.ts';
import { type Contender, OURS_HUB } from './contenders.ts';
import type { Snapshot } from './cost.ts';

/** A fresh Karmada sandbox with member3 joined, and the MCS CRD on ours' hub. */
export async function benchSandbox(
  dir: string,
  basePort: number,
  log: (s: string) => void,
): Promise<Sandbox> {
  await Sandbox.down({ dir, log: () => {} });
  const sb = await Sandbox.up({
    dir,
    basePort,
    extraMembers: ['member3'],
    karmada: { multiClusterService: false },
    // Generous: on a busy machine five API servers take minutes to come up.
    timeoutMs: 600_000,
    log: (l) => log(`    sandbox: ${l}`),
  });
  await joinMember(sb, 'member3');
  await waitClustersReady(sb, ['member3'], 300_000);
  await ensureCrd(sb, OURS_HUB);
  return sb;
}

/** A source writer that notes when each write was acknowledged, to tell the rate the provider took. */
export class CountingWriter extends SourceWriter {
  acks: number[] = [];
  override write(...args: Parameters<SourceWriter['write']>): Promise<number> {
    return super.write(...args).then((at) => {
      this.acks.push(at);
      return at;
    });
  }
}

/** One contender's objects for the latency and throughput phases. */
export interface Arena {
  namespace: string;
  writer: CountingWriter;
  /** The source slice changed one at a time. */
  single: V1EndpointSlice;
  /** The source slices changed under churn and in the ramp. */
  churn: V1EndpointSlice[];
  /** The contender's copies in member2. */
  watcher: CopyWatcher;
  /** Copies the contender makes when it has converged. */
  copies: number;
  /** The next marker to put first in a source slice (each change gets a new one). */
  marker: number;
}

/** The name a copy of source slice `slice` of member1 gets in a consumer (both implementations). */
export const copyName = (slice: string) => `member1-${slice}`;

/** Makes a contender's namespace, `1 + churnServices` Services with MCS on its hub and their source slices. */
export async function setUpArena(sb: Sandbox, contender: Contender, churnServices: number): Promise<Arena> {
  const namespace = `bench-${contender.id === 'mcs-bridge' ? 'ours' : 'karmada'}`;
  await namespaceEverywhere(sb, namespace, [contender.hub, 'member1', 'member2']);
  const hub = clients(sb, contender.hub);
  const member1 = clients(sb, 'member1');
  const writer = new CountingWriter(member1, namespace);
  const make = async (service: string) => {
    await exportService(hub, namespace, service, ['member1'], ['member2']);
    const created = await member1.discovery.createNamespacedEndpointSlice({
      namespace,
      body: sourceSlice(`${service}-src`, service, endpoints('10.10.1.1', 10)),
    });
    writer.created(created);
    return created;
  };
  const single = await make('single');
  const churn: V1EndpointSlice[] = Array.from({ length: churnServices });
  await inParallel(
    Array.from({ length: churnServices }, (_, i) => i),
    8,
    async (i) => {
      churn[i] = await make(`churn-${i}`);
    },
  );
  const watcher = new CopyWatcher(
    clients(sb, 'member2').kc,
    namespace,
    `endpointslice.kubernetes.io/managed-by=${contender.managedBy}`,
  );
  await watcher.start();
  return { namespace, writer, single, churn, watcher, copies: 1 + churnServices, marker: 0 };
}

/** Reads a contender's counters now. */
export async function snapshot(contender: Contender): Promise<Snapshot> {
  const [usage, hubPid] = await Promise.all([contender.usage(), contender.hubApiserverPid()]);
  return {
    at: performance.now(),
    writes: usage.writes,
    cpuSeconds: usage.cpuSeconds,
    hubApiserverCpuSeconds: await cpuSeconds(hubPid),
  };
}
