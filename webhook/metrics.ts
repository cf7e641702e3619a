/**
 * The webhook's Prometheus metrics, registered on a registry that is passed in.
 * Label values are bounded: never an object's name or namespace.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Which route answered. */
export type WebhookName = 'validate' | 'mutate';
/** How a request ended: let through, let through with a patch, refused, or failed. */
export type RequestResult = 'allowed' | 'patched' | 'denied' | 'error' | 'bad_request';

/** The metrics the webhook updates. */
export interface WebhookMetrics {
  /** `mcs_bridge_webhook_requests_total{webhook, operation, result}` */
  requests: Counter<'webhook' | 'operation' | 'result'>;
  /** `mcs_bridge_webhook_request_duration_seconds{webhook}` */
  duration: Histogram<'webhook'>;
  /** `mcs_bridge_webhook_lookup_failures_total{lookup}` */
  lookupFailures: Counter<'lookup'>;
  /** `mcs_bridge_webhook_certificate_reloads_total{result}` */
  certificateReloads: Counter<'result'>;
  /** `mcs_bridge_webhook_certificate_expiry_timestamp_seconds` */
  certificateExpiry: Gauge;
}

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT']);

/** The operation as a label value: one of the four Kubernetes operations, else `unknown`. */
export function operationLabel(operation: unknown): string {
  return typeof operation === 'string' && OPERATIONS.has(operation) ? operation : 'unknown';
}

/** Creates and registers the webhook's metrics on registry. */
export function createWebhookMetrics(registry: Registry): WebhookMetrics {
  const registers = [registry];
  return {
    requests: new Counter({
      name: 'mcs_bridge_webhook_requests_total',
      help: 'Admission requests answered, by webhook, operation and result.',
      labelNames: ['webhook', 'operation', 'result'],
      registers,
    }),
    duration: new Histogram({
      name: 'mcs_bridge_webhook_request_duration_seconds',
      help: 'Time from a parsed AdmissionReview to its answer, by webhook.',
      labelNames: ['webhook'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    lookupFailures: new Counter({
      name: 'mcs_bridge_webhook_lookup_failures_total',
      help: 'API reads for warnings that failed or timed out (admission went on without the warning).',
      labelNames: ['lookup'],
      registers,
    }),
    certificateReloads: new Counter({
      name: 'mcs_bridge_webhook_certificate_reloads_total',
      help: 'Loads of the serving certificate from its files, by result.',
      labelNames: ['result'],
      registers,
    }),
    certificateExpiry: new Gauge({
      name: 'mcs_bridge_webhook_certificate_expiry_timestamp_seconds',
      help: 'When the serving certificate in use expires, as a Unix timestamp.',
      registers,
    }),
  };
}
