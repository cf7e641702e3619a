#!/usr/bin/env node
/**
 * mcs-bridge-webhook: the admission webhook that validates and defaults MultiClusterService
 * objects. This file only wires the pieces together; each lives in its own module.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { type Logger, pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { runMain } from '../lib/cli.ts';
import { redactingLoggerOptions, SecretScrubber } from '../lib/log-redaction.ts';
import { createMutateHandler } from './admission/handle-mutate.ts';
import { createValidateHandler } from './admission/handle-validate.ts';
import { buildApp } from './app.ts';
import type { Clock } from './clock.ts';
import { buildHealthApp } from './health.ts';
import { cachedClusterDirectory, type Lookups } from './lookups/lookups.ts';
import { createWebhookMetrics, type WebhookMetrics } from './metrics.ts';
import { parseWebhookOptions, type WebhookOptions } from './options.ts';
import { createShapeCheck } from './rules/validate-schema.ts';
import { CertificateSource } from './tls/cert-source.ts';
import type { SelfManagedCertificate } from './tls/self-managed-tls.ts';
import { followCertificates, tlsOptions } from './tls/server.ts';

/** How long the member-cluster list is reused before it is read again. */
const CLUSTER_LIST_TTL_MS = 30_000;
/** Longest wait for one API read made for a warning (the API server allows the call 3 s). */
const LOOKUP_TIMEOUT_MS = 1_000;

/** The API reads for warnings; client-node is only loaded when they are asked for. */
async function createLookups(
  opts: WebhookOptions,
  logger: Logger,
  metrics: WebhookMetrics,
  clock: Clock,
  scrubber: SecretScrubber,
): Promise<Lookups> {
  const kube = await import('./lookups/kube-lookups.ts');
  const hub = kube.hubKubeConfig({ ...opts });
  scrubber.addKubeconfigUsers(hub.getUsers());
  const directory = opts.memberKubeconfig
    ? kube.kubeconfigClusterDirectory(opts.memberKubeconfig)
    : kube.karmadaClusterDirectory(hub);
  logger.info(
    { members: opts.memberKubeconfig ?? 'clusters.cluster.karmada.io on the hub' },
    'warnings that read the API are on',
  );
  return {
    services: kube.kubeServiceLookup(hub),
    clusters: cachedClusterDirectory(directory, CLUSTER_LIST_TTL_MS, clock),
    timeoutMs: LOOKUP_TIMEOUT_MS,
    logger,
    onFailure: (lookup) => metrics.lookupFailures.inc({ lookup }),
  };
}

/** How long admission requests under way get on shutdown before their connections are cut. */
const DRAIN_MS = 5_000;

/**
 * Closes the HTTPS server: no new connections, idle ones closed, the rest cut after `ms`.
 * server.close() alone waits for every connection Node does not count as idle, and the API
 * server can keep one of those open (seen in the image suite: the pod outlived its 30 s grace
 * period and was killed).
 */
async function closeWithin(app: { close(): Promise<unknown>; server: Server }, ms: number): Promise<void> {
  const cut = setTimeout(() => app.server.closeAllConnections(), ms);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

/** Resolves on the first SIGTERM or SIGINT. */
function shutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}

runMain('mcs-bridge-webhook', async () => {
  const opts = parseWebhookOptions(process.argv.slice(2));
  if (!opts) return 0;
  const stop = shutdownSignal();
  const scrubber = new SecretScrubber();
  const logger = pino(redactingLoggerOptions({ name: 'mcs-bridge-webhook', level: opts.logLevel }, scrubber));
  const clock: Clock = { now: () => performance.now() };
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics = createWebhookMetrics(registry);
  // Whatever was started is stopped again, in reverse order, on shutdown and on a startup error.
  const cleanups: (() => unknown)[] = [];
  try {
    const certs = new CertificateSource({
      certFile: opts.tlsCertFile,
      keyFile: opts.tlsKeyFile,
      logger,
      onLoad: (result, pair) => {
        metrics.certificateReloads.inc({ result });
        if (pair) metrics.certificateExpiry.set(pair.notAfter.getTime() / 1000);
      },
    });
    let serving = false;
    let selfManaged: SelfManagedCertificate | undefined;
    const health = buildHealthApp({
      logger,
      registry,
      notReadyReason: () =>
        selfManaged?.notReadyReason() ??
        certs.notReadyReason() ??
        (serving ? undefined : 'the HTTPS server is starting'),
    });
    await health.listen({ port: opts.healthPort, host: opts.bindAddress });
    cleanups.push(() => health.close());

    const shapeCheck = createShapeCheck();
    const lookups =
      opts.kubeconfig || opts.inCluster
        ? await createLookups(opts, logger, metrics, clock, scrubber)
        : undefined;
    const handlers = {
      validate: createValidateHandler({ shapeCheck, ...(lookups ? { lookups } : {}) }),
      mutate: createMutateHandler({ shapeCheck, newUuid: randomUUID }),
    };

    if (opts.selfManagedTls) {
      // The files must hold the Secret's certificate before they are first read.
      const { createSelfManagedCertificate } = await import('./tls/self-managed-kube.ts');
      const managed = createSelfManagedCertificate({
        opts,
        logger,
        scrubber,
        registry,
        onWritten: () => certs.reload(),
      });
      selfManaged = managed;
      cleanups.push(() => managed.stop());
      if (typeof (await Promise.race([managed.start(), stop])) === 'string') return 0;
    }
    await certs.start();
    cleanups.push(() => certs.stop());
    if (!certs.current()) logger.info('waiting for the certificate files to appear');
    const first = await Promise.race([certs.ready(), stop]);
    if (typeof first === 'string') return 0;
    const app = buildApp({ logger, metrics, clock, handlers, https: tlsOptions(first) });
    followCertificates(app.server, certs);
    cleanups.push(() => closeWithin(app, DRAIN_MS));
    await app.listen({ port: opts.port, host: opts.bindAddress });
    serving = true;

    logger.info({ signal: await stop }, 'shutting down');
    serving = false;
    return 0;
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
});
