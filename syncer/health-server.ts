/**
 * The syncer's plain-HTTP port: /metrics for Prometheus, /healthz (the process answers)
 * and /readyz (the hub caches have synced). Nothing sensitive is served here, and nothing a
 * client sent is quoted back.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';

/** Every route of the health port (GET, and HEAD with it); nothing else is served. */
export const HEALTH_ROUTES = ['/healthz', '/readyz', '/metrics'] as const;

/** What the health server reports on. */
export interface HealthServerOptions {
  registry: Registry;
  ready: () => boolean;
}

/** Builds the app; the caller listens (so tests can use `inject`). */
export function buildHealthServer(o: HealthServerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  app.get('/healthz', async () => 'ok');
  app.get('/readyz', async (_req, reply) => {
    if (o.ready()) return 'ok';
    return reply.code(503).send('caches not synced yet');
  });
  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', o.registry.contentType);
    return o.registry.metrics();
  });
  // Fastify's own 404 quotes the URL back, query string and all; this one says only what exists.
  app.setNotFoundHandler(async (_req, reply) => {
    reply.code(404).type('text/plain');
    return `not found: this port serves ${HEALTH_ROUTES.join(', ')}\n`;
  });
  return app;
}
