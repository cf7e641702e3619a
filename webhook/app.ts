/**
 * The webhook's HTTP surface: a Fastify app with the two admission routes, built separately from
 * listening so tests drive it with app.inject().
 */
import type { ServerOptions } from 'node:https';
import Fastify, { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { Logger } from 'pino';
import {
  type AdmissionRequest,
  type AdmissionResponse,
  errored,
  parseAdmissionReview,
  reviewOf,
} from './admission/admission-review.ts';
import type { AdmissionHandler } from './admission/admission-scope.ts';
import type { Clock } from './clock.ts';
import { clip } from './go-render/field-errors.ts';
import { operationLabel, type RequestResult, type WebhookMetrics, type WebhookName } from './metrics.ts';

/** Largest AdmissionReview body accepted: 7 MiB, as controller-runtime. */
export const MAX_BODY_BYTES = 7 * 1024 * 1024;

/**
 * Longest a request may take to arrive whole: the API server gives a webhook call 30 s at most,
 * so a client still sending after that is not the API server, and its socket is closed (408).
 */
export const REQUEST_TIMEOUT_MS = 30_000;

/** The two routes, at the paths Karmada's webhook serves. */
export const ROUTES: Record<WebhookName, string> = {
  validate: '/validate-multiclusterservice',
  mutate: '/mutate-multiclusterservice',
};

/** Everything the app needs; nothing is read from module state. */
export interface AppOptions {
  logger: Logger;
  metrics: WebhookMetrics;
  clock: Clock;
  handlers: Record<WebhookName, AdmissionHandler>;
  /** TLS settings (the first certificate); plain HTTP when absent, as in route tests. */
  https?: ServerOptions;
  bodyLimit?: number;
  /** See {@link REQUEST_TIMEOUT_MS}; tests shorten it. */
  requestTimeoutMs?: number;
}

/** A Kubernetes Status body for answers that cannot be an AdmissionReview. */
function statusBody(code: number, reason: string, message: string) {
  return { apiVersion: 'v1', kind: 'Status', status: 'Failure', code, reason, message };
}

function resultOf(response: AdmissionResponse): RequestResult {
  if (response.allowed) return response.patch ? 'patched' : 'allowed';
  const code = response.status?.code;
  if (code === 500) return 'error';
  return code === 400 ? 'bad_request' : 'denied';
}

function describeRequest(request: AdmissionRequest): string {
  const object = request.namespace ? `${request.namespace}/${request.name ?? ''}` : (request.name ?? '');
  return clip(`${request.operation} of ${request.kind.kind} ${object}`.trimEnd(), 200);
}

/** Builds the app; it does not listen. */
export function buildApp(opts: AppOptions) {
  const { logger, metrics, clock } = opts;
  const requestTimeout = opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const app = Fastify({
    loggerInstance: logger,
    // One log line per request would dominate the cost of an admission decision.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: opts.bodyLimit ?? MAX_BODY_BYTES,
    requestTimeout,
    return503OnClosing: true,
    ...(opts.https ? { https: opts.https } : {}),
  });

  // Node treats a headers timeout longer than the request timeout as the request timeout
  // (it swaps them), so the headers get no more time than the whole request.
  app.server.headersTimeout = Math.min(app.server.headersTimeout, requestTimeout);

  // The body is parsed in the route, whatever its content type, so a bad one gets our 400.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const code = err.statusCode ?? 500;
    if (code >= 500) {
      request.log.error({ err, url: request.url }, 'failed to answer a webhook request');
      return reply.code(500).send(statusBody(500, 'InternalError', 'internal error; see the webhook log'));
    }
    // The API server calls with a query (`?timeout=10s`): match the path alone.
    const path = request.url.split('?')[0];
    const webhook = (Object.keys(ROUTES) as WebhookName[]).find((w) => ROUTES[w] === path);
    if (webhook) metrics.requests.inc({ webhook, operation: 'unknown', result: 'bad_request' });
    if (code === 413) {
      const limit = opts.bodyLimit ?? MAX_BODY_BYTES;
      return reply
        .code(413)
        .send(statusBody(413, 'RequestEntityTooLarge', `request body is larger than ${limit} bytes`));
    }
    // Every other client error (a malformed Content-Type header, say) is a bad request.
    return reply.code(400).send(statusBody(400, 'BadRequest', err.message));
  });

  // Fastify's own 404 quotes the URL back; this one says only what exists.
  app.setNotFoundHandler(async (_req, reply) => {
    reply.code(404);
    const routes = Object.values(ROUTES).map((r) => `POST ${r}`);
    return statusBody(404, 'NotFound', `not found: this server answers ${routes.join(' and ')}`);
  });

  for (const webhook of Object.keys(ROUTES) as WebhookName[]) {
    const handle = opts.handlers[webhook];
    app.post(ROUTES[webhook], async (req: FastifyRequest, reply: FastifyReply) => {
      const started = clock.now();
      const raw = typeof req.body === 'string' ? req.body : '';
      const parsed =
        raw === '' ? { ok: false as const, message: 'request body is empty' } : parseAdmissionReview(raw);
      if (!parsed.ok) {
        metrics.requests.inc({ webhook, operation: 'unknown', result: 'bad_request' });
        reply.code(400);
        return statusBody(400, 'BadRequest', parsed.message);
      }
      const { request } = parsed;
      let response: AdmissionResponse;
      try {
        response = await handle(request);
      } catch (err) {
        const what = `failed to ${webhook} ${describeRequest(request)}`;
        req.log.error({ err, uid: clip(request.uid) }, what);
        response = errored(request.uid, 500, `${what}: ${(err as Error).message ?? String(err)}`);
      }
      // The API server matches answers to questions by uid; never let a handler lose it.
      response = { ...response, uid: request.uid };
      const result = resultOf(response);
      if (result === 'denied') {
        req.log.info(
          { uid: clip(request.uid), reason: response.status?.message },
          `denied ${describeRequest(request)}`,
        );
      }
      metrics.requests.inc({ webhook, operation: operationLabel(request.operation), result });
      metrics.duration.observe({ webhook }, (clock.now() - started) / 1000);
      return reviewOf(parsed.apiVersion, response);
    });
  }
  return app;
}
