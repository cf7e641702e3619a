/**
 * The API clients of one cluster, with every request counted by verb and HTTP code.
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { resultCode } from '../../lib/kube-errors.ts';
import type { SyncerMetrics } from '../engine/metrics.ts';
import { type RawRequest, rawList, rawRequest } from './raw-api.ts';

/** Typed API clients for one cluster, and a wrapper that counts each request. */
export class ClusterClient {
  readonly core: CoreV1Api;
  readonly discovery: DiscoveryV1Api;
  readonly custom: CustomObjectsApi;
  readonly coordination: CoordinationV1Api;

  constructor(
    /** Cluster name, as the metrics and messages show it. */
    readonly name: string,
    readonly kubeConfig: KubeConfig,
    private readonly metrics: SyncerMetrics,
  ) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.discovery = kubeConfig.makeApiClient(DiscoveryV1Api);
    this.custom = kubeConfig.makeApiClient(CustomObjectsApi);
    this.coordination = kubeConfig.makeApiClient(CoordinationV1Api);
  }

  /** A plain JSON request (see raw-api.ts), counted as `verb`. */
  request<T>(verb: string, r: RawRequest): Promise<T> {
    return this.call(verb, () => rawRequest<T>(this.kubeConfig, r));
  }

  /** A paginated plain JSON list, each item passed through `transform`; counted as one `list`. */
  list<T extends KubernetesObject>(
    path: string,
    transform: (o: T) => T,
    labelSelector?: string,
  ): Promise<KubernetesListObject<T>> {
    return this.call('list', () => rawList<T>(this.kubeConfig, path, { transform, labelSelector }));
  }

  /** Runs one API request and counts it as `verb` with its outcome. */
  async call<T>(verb: string, request: () => Promise<T>): Promise<T> {
    try {
      const result = await request();
      this.metrics.apiRequests.inc({ cluster: this.name, verb, code: '2xx' }); // client-node does not expose the success code
      return result;
    } catch (err) {
      this.metrics.apiRequests.inc({ cluster: this.name, verb, code: resultCode(err) });
      throw err;
    }
  }
}
