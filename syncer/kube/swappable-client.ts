/**
 * A member's client whose endpoint and credentials can change under it (a rotated token in its
 * Karmada Secret, a new CA): every request goes to the client of the current ones, so the
 * member, its caches and everything that holds it stay as they are across the change.
 */
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from './cluster-client.ts';
import type { RawRequest, RawWatchEvent } from './raw-api.ts';

/** A {@link KubeClient} that forwards to the one given last. */
export class SwappableClient implements KubeClient {
  constructor(private current: KubeClient) {}

  get name(): string {
    return this.current.name;
  }

  /** Sends every later request through `next`; requests in flight finish on the old client. */
  swap(next: KubeClient): void {
    this.current = next;
  }

  request<T>(verb: string, r: RawRequest): Promise<T> {
    return this.current.request<T>(verb, r);
  }

  write<T>(verb: string, r: RawRequest): Promise<T> {
    return this.current.write<T>(verb, r);
  }

  list<T extends KubernetesObject>(
    path: string,
    transform: (o: T) => T,
    labelSelector?: string,
    signal?: AbortSignal,
  ): Promise<KubernetesListObject<T>> {
    return this.current.list(path, transform, labelSelector, signal);
  }

  watch(
    path: string,
    query: { resourceVersion: string; labelSelector?: string },
    onEvent: (e: RawWatchEvent) => void,
    onOpen: () => void,
    signal: AbortSignal,
  ): Promise<void> {
    return this.current.watch(path, query, onEvent, onOpen, signal);
  }
}
