/**
 * The {@link ListWatchSource} of an informer, on a cluster's API: paginated lists and watches
 * of one collection, objects turned into their cache form as they arrive.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from './cluster-client.ts';
import type { ListWatchSource, WatchEvent } from './informer.ts';

/** Lists and watches `path` (e.g. `/api/v1/services`) in the cluster of `client`. */
export function apiListWatch<T extends KubernetesObject>(
  client: KubeClient,
  path: string,
  opts: { labelSelector?: string; transform?: (o: T) => T } = {},
): ListWatchSource<T> {
  const transform = opts.transform ?? ((o: T) => o);
  return {
    async list(signal) {
      const list = await client.list<T>(path, transform, opts.labelSelector, signal);
      return { items: list.items, resourceVersion: list.metadata?.resourceVersion ?? '' };
    },
    watch(resourceVersion, onEvent, onOpen, signal) {
      return client.watch(
        path,
        { resourceVersion, labelSelector: opts.labelSelector },
        (e) => {
          const type = e.type as WatchEvent<T>['type'];
          const object =
            type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED'
              ? transform(e.object as T)
              : (e.object as WatchEvent<T>['object']);
          onEvent({ type, object });
        },
        onOpen,
        signal,
      );
    },
  };
}
