/**
 * Watches the Works of one execution space on the hub and notes when each change first shows in
 * one: the EndpointSlice a Work carries starts with the change's marker address (see
 * ../syncer/copies.ts). For a Pull consumer that splits a change's latency into the hub side
 * (the source's change → the consumer's Work) and karmada-agent's apply (the Work → the copy).
 */
import { type KubeConfig, Watch } from '@kubernetes/client-node';

interface Manifest {
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  endpoints?: { addresses?: string[] }[];
}

interface WorkObject {
  spec?: { workload?: { manifests?: Manifest[] } };
}

/** The key of one change of one copy. */
const key = (namespace: string, name: string, address: string) => `${namespace}/${name}/${address}`;

/** Notes the first time each (copy, first address) appears in a Work of the execution space. */
export class WorkTap {
  private readonly firstSeen = new Map<string, number>();
  private abort: AbortController | undefined;
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly executionSpace: string,
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  /** When the change that put `address` first in copy `namespace/name` reached a Work (performance.now()), if it did. */
  seen(namespace: string, name: string, address: string): number | undefined {
    return this.firstSeen.get(key(namespace, name, address));
  }

  private async connect(): Promise<void> {
    this.abort = await new Watch(this.kc).watch(
      `/apis/work.karmada.io/v1alpha1/namespaces/${this.executionSpace}/works`,
      { allowWatchBookmarks: true },
      (type: string, work: WorkObject) => {
        if (type !== 'ADDED' && type !== 'MODIFIED') return;
        const now = performance.now();
        for (const m of work.spec?.workload?.manifests ?? []) {
          if (m.kind !== 'EndpointSlice') continue;
          const address = m.endpoints?.[0]?.addresses?.[0];
          if (!address) continue;
          const k = key(m.metadata?.namespace ?? '', m.metadata?.name ?? '', address);
          if (!this.firstSeen.has(k)) this.firstSeen.set(k, now);
        }
      },
      () => {
        if (!this.stopped) void this.connect();
      },
    );
  }
}
