/**
 * The plain-HTTP side port: liveness, readiness and Prometheus metrics.
 */
import Fastify, { LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** Every route of the health port (GET, and HEAD with it); nothing else is served. */
export const HEALTH_ROUTES = ['/healthz', '/readyz', '/metrics'] as const;

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
  // Fastify's own 404 quotes the URL back, query string and all; this one says only what exists.
  app.setNotFoundHandler(async (_req, reply) => {
    reply.code(404).type('text/plain');
    return `not found: this port serves ${HEALTH_ROUTES.join(', ')}\n`;
  });
  return app;
}
