/**
 * Builds the {@link SelfManagedCertificate} of a running webhook: client-node clients for the
 * hub and the metric it counts its checks with. Loaded by main.ts only in that mode.
 */
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { EnsureResult } from '../../certs/ensure.ts';
import { KubernetesCABundlePatcher, KubernetesSecretStore } from '../../certs/kubernetes.ts';
import type { SecretScrubber } from '../../lib/log-redaction.ts';
import { hubKubeConfig } from '../lookups/kube-lookups.ts';
import type { WebhookOptions } from '../options.ts';
import { SelfManagedCertificate } from './self-managed-tls.ts';

/** The webhook's options (with `selfManagedTls` set) and what the certificate reports to. */
export interface SelfManagedWiring {
  opts: WebhookOptions;
  logger: Logger;
  /** Learns the hub credentials, to keep them out of log lines. */
  scrubber?: SecretScrubber;
  registry: Registry;
  onWritten: (result: EnsureResult) => void;
}

/** A self-managed certificate that reaches the hub as the webhook's options say. */
export function createSelfManagedCertificate(w: SelfManagedWiring): SelfManagedCertificate {
  const tls = w.opts.selfManagedTls;
  if (!tls) throw new Error('self-managed TLS is not configured');
  const hub = hubKubeConfig({ ...w.opts });
  w.scrubber?.addKubeconfigUsers(hub.getUsers());
  const checks = new Counter({
    name: 'mcs_bridge_webhook_tls_checks_total',
    help: 'Checks of the self-managed certificate in its Secret, by what they did (created, renewed, reused, adopted) or error.',
    labelNames: ['result'],
    registers: [w.registry],
  });
  return new SelfManagedCertificate({
    tls,
    certFile: w.opts.tlsCertFile,
    keyFile: w.opts.tlsKeyFile,
    deps: {
      secrets: new KubernetesSecretStore(hub.makeApiClient(CoreV1Api)),
      webhooks: new KubernetesCABundlePatcher(hub.makeApiClient(AdmissionregistrationV1Api)),
    },
    logger: w.logger,
    now: () => new Date(),
    checks,
    onWritten: w.onWritten,
  });
}
