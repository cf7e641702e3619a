/**
 * Watches the copies in a consumer cluster and tells when a given change arrived: each
 * change the benchmark makes puts a fresh marker address first in the source slice, so
 * "copy X now starts with address A" identifies the change exactly.
 */
import { type KubeConfig, type V1EndpointSlice, Watch } from '@kubernetes/client-node';

/** Watches one namespace of one consumer for copies. */
export class CopyWatcher {
  private readonly firstAddress = new Map<string, string>();
  /** Per copy, the changes awaited, in the order they were made. */
  private readonly waiters = new Map<
    string,
    Array<{ address: string; resolve: (at: number | undefined) => void }>
  >();
  private abort: AbortController | undefined;
  private stopped = false;

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    /** Label selector of the copies, e.g. `endpointslice.kubernetes.io/managed-by=syncer.mcs-bridge.io`. */
    private readonly selector: string,
  ) {}

  /** Number of copies currently present. */
  get count(): number {
    return this.firstAddress.size;
  }

  /** Starts the watch and resolves once it is established. */
  async start(): Promise<void> {
    this.stopped = false;
    await this.connect();
  }

  /** Stops the watch. */
  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  /**
   * Resolves with the time (performance.now()) copy `name` was seen starting with
   * `address`, or with undefined when a later change of the same copy arrived first (the
   * change was coalesced into a later write, which is fine). Call it before making the change.
   */
  arrival(name: string, address: string): Promise<number | undefined> {
    return new Promise((resolve) => {
      const list = this.waiters.get(name) ?? [];
      list.push({ address, resolve });
      this.waiters.set(name, list);
    });
  }

  /** Waits until at least `n` copies are present; polls the count. */
  async until(n: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.count < n) {
      if (Date.now() > deadline) throw new Error(`${this.count} of ${n} copies after ${timeoutMs / 1000} s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private async connect(): Promise<void> {
    const path = `/apis/discovery.k8s.io/v1/namespaces/${this.namespace}/endpointslices`;
    this.abort = await new Watch(this.kc).watch(
      path,
      { labelSelector: this.selector, allowWatchBookmarks: true },
      (type: string, obj: V1EndpointSlice) => this.onEvent(type, obj),
      () => {
        // The watch ends on timeouts; come back at once (from "now": a copy made while away
        // is still in firstAddress only if seen before, which is enough for counting).
        if (!this.stopped) void this.connect();
      },
    );
  }

  private onEvent(type: string, obj: V1EndpointSlice): void {
    const now = performance.now();
    const name = obj.metadata?.name ?? '';
    if (type === 'DELETED') {
      this.firstAddress.delete(name);
      return;
    }
    if (type !== 'ADDED' && type !== 'MODIFIED') return;
    const address = obj.endpoints?.[0]?.addresses[0] ?? '';
    this.firstAddress.set(name, address);
    const list = this.waiters.get(name);
    const i = list?.findIndex((w) => w.address === address) ?? -1;
    if (!list || i < 0) return;
    for (const w of list.splice(0, i)) w.resolve(undefined);
    list.shift()?.resolve(now);
  }
}
