/**
 * Propagation latency: from a source slice write acknowledged in member1 to its copy seen
 * through a watch in member2 — one change at a time, and under churn.
 */
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { CopyWatcher } from './copies.ts';
import { type clients, endpoints } from './fixtures.ts';
import { markerAddress } from './stats.ts';

/** Latencies of the changes that arrived, and how many were coalesced or lost. */
export interface LatencyRun {
  samplesMs: number[];
  coalesced: number;
  lost: number;
}

/** Keeps the resourceVersion of each source slice, to replace it with. */
export class SourceWriter {
  private readonly versions = new Map<string, string>();
  private readonly chains = new Map<string, Promise<unknown>>();

  constructor(
    private readonly member1: ReturnType<typeof clients>,
    private readonly namespace: string,
  ) {}

  /** Notes a slice as created (its resourceVersion). */
  created(slice: V1EndpointSlice): void {
    this.versions.set(slice.metadata?.name ?? '', slice.metadata?.resourceVersion ?? '');
  }

  /**
   * Replaces the slice's endpoints with `count` endpoints led by `first`; resolves with the
   * time the write was acknowledged. Writes to one slice go one at a time.
   */
  write(template: V1EndpointSlice, first: string, count: number): Promise<number> {
    const name = template.metadata?.name ?? '';
    const run = (this.chains.get(name) ?? Promise.resolve()).then(async () => {
      const body = {
        ...template,
        metadata: { ...template.metadata, resourceVersion: this.versions.get(name) },
        endpoints: endpoints(first, count),
      };
      const written = await this.member1.discovery.replaceNamespacedEndpointSlice({
        name,
        namespace: this.namespace,
        body,
      });
      this.versions.set(name, written.metadata?.resourceVersion ?? '');
      return performance.now();
    });
    this.chains.set(
      name,
      run.catch(() => undefined),
    );
    return run;
  }
}

const within = <T>(p: Promise<T>, ms: number): Promise<T | 'lost'> =>
  Promise.race([p, new Promise<'lost'>((r) => setTimeout(() => r('lost'), ms).unref())]);

/** `changes` changes of one slice, each awaited before the next. */
export async function sequential(
  writer: SourceWriter,
  template: V1EndpointSlice,
  copyName: string,
  watcher: CopyWatcher,
  changes: number,
  firstMarker: number,
): Promise<LatencyRun> {
  const run: LatencyRun = { samplesMs: [], coalesced: 0, lost: 0 };
  for (let i = 0; i < changes; i++) {
    const address = markerAddress([10, 10], firstMarker + i);
    const arrival = watcher.arrival(copyName, address);
    const acked = await writer.write(template, address, (template.endpoints ?? []).length);
    const seen = await within(arrival, 30_000);
    if (seen === 'lost') run.lost++;
    else if (seen === undefined) run.coalesced++;
    else run.samplesMs.push(seen - acked);
  }
  return run;
}

/** `ratePerSecond` changes a second for `seconds`, round-robin over the templates, not waiting. */
export async function churn(
  writer: SourceWriter,
  templates: readonly V1EndpointSlice[],
  copyName: (source: string) => string,
  watcher: CopyWatcher,
  ratePerSecond: number,
  seconds: number,
  firstMarker: number,
): Promise<LatencyRun> {
  const run: LatencyRun = { samplesMs: [], coalesced: 0, lost: 0 };
  const total = Math.round(ratePerSecond * seconds);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / ratePerSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const template = templates[i % templates.length];
    if (!template) break;
    const address = markerAddress([10, 10], firstMarker + i);
    const arrival = watcher.arrival(copyName(template.metadata?.name ?? ''), address);
    pending.push(
      writer.write(template, address, (template.endpoints ?? []).length).then(async (acked) => {
        const seen = await within(arrival, 30_000);
        if (seen === 'lost') run.lost++;
        else if (seen === undefined) run.coalesced++;
        else run.samplesMs.push(seen - acked);
      }),
    );
  }
  await Promise.all(pending);
  return run;
}
