/**
 * The plain-HTTP side port: liveness, readiness and Prometheus metrics.
 */
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** What the health app reports on. */
export interface HealthAppOptions {
  logger: Logger;
  registry: Registry;
  /** Why the webhook cannot serve yet, or undefined once it can (a certificate is loaded). */
  notReadyReason: () => string | undefined;
}

/** Builds the health app (`/healthz`, `/readyz`, `/metrics`); it does not listen. */
export function buildHealthApp(opts: HealthAppOptions) {
  const app = Fastify({
    loggerInstance: opts.logger,
    logController: new LogController({ disableRequestLogging: true }),
  });
  app.get('/healthz', async () => 'ok\n');
  app.get('/readyz', async (_req, reply) => {
    const reason = opts.notReadyReason();
    if (reason === undefined) return 'ok\n';
    reply.code(503);
    return `not ready: ${reason}\n`;
  });
  app.get('/metrics', async (_req, reply) => {
    reply.type(opts.registry.contentType);
    return opts.registry.metrics();
  });
  return app;
}
