/**
 * The syncer's Prometheus metrics, on a registry passed in (no global registry). Label
 * values are bounded: cluster names, verbs, codes and results, never object names.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, type Registry } from 'prom-client';

const PREFIX = 'mcs_bridge_syncer_';

/** Every metric the syncer exports. */
export class SyncerMetrics {
  /** Reconciles of one MCS key, by result (`success`, `error`, `conflict`, `waiting`). */
  readonly reconciles: Counter<'result'>;
  /** Time one reconcile took, planning and writes included. */
  readonly reconcileDuration: Histogram;
  /** From a source EndpointSlice change seen by the syncer to its copy written in a consumer. */
  readonly propagationLatency: Histogram;
  /** API requests the syncer made, by cluster, verb and HTTP code (`error` when no answer). */
  readonly apiRequests: Counter<'cluster' | 'verb' | 'code'>;
  /** Watches that ended with an error and were restarted. */
  readonly watchRestarts: Counter<'cluster' | 'resource'>;
  /** 1 when a member cluster is ready, 0 when not. */
  readonly clusterReady: Gauge<'cluster'>;
  readonly clusterSlow: Gauge<'cluster'>;
  /** EndpointSlices the syncer has dispatched into each cluster (from its caches). */
  readonly dispatchedSlices: Gauge<'cluster'>;
  /** MultiClusterServices with provider endpoints inside a consumer's own CIDRs, by consumer and range (`pod`, `service`). */
  readonly cidrOverlaps: Gauge<'cluster' | 'range'>;
  /** MCS keys waiting in the work queue. */
  readonly queueDepth: Gauge;
  /** 1 while this replica is the leader. */
  readonly leader: Gauge;
  /** 1 while the hub answers its probes, 0 while not. */
  readonly hubReady: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.reconciles = new Counter({
      name: `${PREFIX}reconciles_total`,
      help: 'Reconciles of one MultiClusterService, by result.',
      labelNames: ['result'],
      registers,
    });
    this.reconcileDuration = new Histogram({
      name: `${PREFIX}reconcile_duration_seconds`,
      help: 'Time one reconcile of a MultiClusterService took, writes included.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.propagationLatency = new Histogram({
      name: `${PREFIX}propagation_latency_seconds`,
      help: 'From a source EndpointSlice change seen in a provider to its copy written in a consumer.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.apiRequests = new Counter({
      name: `${PREFIX}api_requests_total`,
      help: 'Kubernetes API requests made by the syncer, by cluster, verb and HTTP code.',
      labelNames: ['cluster', 'verb', 'code'],
      registers,
    });
    this.watchRestarts = new Counter({
      name: `${PREFIX}watch_restarts_total`,
      help: 'Watches restarted after an error, by cluster and resource.',
      labelNames: ['cluster', 'resource'],
      registers,
    });
    this.clusterReady = new Gauge({
      name: `${PREFIX}cluster_ready`,
      help: '1 when the member cluster is ready, 0 when not.',
      labelNames: ['cluster'],
      registers,
    });
    this.clusterSlow = new Gauge({
      name: `${PREFIX}cluster_slow`,
      help: '1 while reconciles do not wait for the member cluster (its writes outlasted --slow-member-wait), 0 when not.',
      labelNames: ['cluster'],
      registers,
    });
    this.dispatchedSlices = new Gauge({
      name: `${PREFIX}dispatched_endpointslices`,
      help: 'EndpointSlices dispatched by the syncer into each cluster.',
      labelNames: ['cluster'],
      registers,
    });
    this.cidrOverlaps = new Gauge({
      name: `${PREFIX}cidr_overlaps`,
      help: "MultiClusterServices with provider endpoints inside the cluster's own pod or Service CIDRs (range: pod, service); they are dispatched, but the cluster routes them to itself.",
      labelNames: ['cluster', 'range'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: `${PREFIX}queue_depth`,
      help: 'MultiClusterService keys waiting to be reconciled.',
      registers,
    });
    this.leader = new Gauge({
      name: `${PREFIX}leader`,
      help: '1 while this replica is the leader.',
      registers,
    });
    this.hubReady = new Gauge({
      name: `${PREFIX}hub_ready`,
      help: '1 while the hub API server answers the syncer, 0 while not.',
      registers,
    });
    collectDefaultMetrics({ register: registry, prefix: PREFIX });
  }
}
