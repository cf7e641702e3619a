/**
 * The ceiling the webhook is measured against: a Fastify HTTPS server set up as webhook/app.ts
 * sets up its own (logger, body limit, a string body parser for every content type, no request
 * logging, TLS 1.2+) with a route that reads the body and answers a constant (`/empty`), and one
 * that also parses it as JSON (`/parse`): the part of the gap any webhook pays, whatever it
 * decides. Run as its own process by test/bench/webhook.ts, as the webhook is.
 *
 *   node --import tsx test/bench/empty-route-server.ts --port N --cert FILE --key FILE
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import Fastify, { LogController } from 'fastify';
import { pino } from 'pino';
import { MAX_BODY_BYTES } from '../../webhook/app.ts';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { port: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' } },
  });
  if (!values.port || !values.cert || !values.key) throw new Error('--port, --cert and --key are required');
  const [cert, key] = await Promise.all([readFile(values.cert, 'utf8'), readFile(values.key, 'utf8')]);
  const app = Fastify({
    loggerInstance: pino({ name: 'empty-route', level: 'info' }),
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_BODY_BYTES,
    return503OnClosing: true,
    https: { cert, key, minVersion: 'TLSv1.2' },
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/empty', async () => ({ ok: true }));
  app.post('/parse', async (req) => ({ ok: typeof JSON.parse(String(req.body)) === 'object' }));
  await app.listen({ port: Number(values.port), host: '127.0.0.1' });
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop).once('SIGINT', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`empty-route-server: ${err.message}\n`);
  process.exit(1);
});
