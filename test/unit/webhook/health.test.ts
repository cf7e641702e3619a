import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { buildHealthApp, HEALTH_ROUTES } from '../../../webhook/health.ts';
import { createWebhookMetrics } from '../../../webhook/metrics.ts';
import { reliabilityCase } from '../../reliability/case.ts';
import { silentLogger } from './fixtures.ts';

describe('the health port', () => {
  it('is live from the start, and ready only once the reason not to be is gone', async () => {
    let reason: string | undefined = 'no serving certificate loaded yet';
    const app = buildHealthApp({
      logger: silentLogger(),
      registry: new Registry(),
      notReadyReason: () => reason,
    });
    assert.equal((await app.inject('/healthz')).statusCode, 200);
    const notReady = await app.inject('/readyz');
    assert.equal(notReady.statusCode, 503);
    assert.equal(notReady.body, 'not ready: no serving certificate loaded yet\n');
    reason = undefined;
    const ready = await app.inject('/readyz');
    assert.equal(ready.statusCode, 200);
    await app.close();
  });

  it('serves the registry in the Prometheus text format', async () => {
    const registry = new Registry();
    const metrics = createWebhookMetrics(registry);
    metrics.requests.inc({ webhook: 'validate', operation: 'CREATE', result: 'allowed' });
    const app = buildHealthApp({ logger: silentLogger(), registry, notReadyReason: () => undefined });
    const res = await app.inject('/metrics');
    await app.close();
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /^text\/plain/);
    assert.match(
      res.body,
      /mcs_bridge_webhook_requests_total\{webhook="validate",operation="CREATE",result="allowed"\} 1/,
    );
    for (const name of [
      'mcs_bridge_webhook_request_duration_seconds',
      'mcs_bridge_webhook_lookup_failures_total',
      'mcs_bridge_webhook_certificate_reloads_total',
      'mcs_bridge_webhook_certificate_expiry_timestamp_seconds',
    ]) {
      assert.match(res.body, new RegExp(`# TYPE ${name} `));
    }
  });

  it('serves exactly /healthz, /readyz and /metrics, and its 404 quotes nothing back', async () => {
    reliabilityCase(
      'Security',
      'Webhook health port',
      'Its routes are exactly GET/HEAD /healthz, /readyz, /metrics; any other path or method gets a fixed 404 that quotes neither the path nor the query',
    );
    const app = buildHealthApp({
      logger: silentLogger(),
      registry: new Registry(),
      notReadyReason: () => undefined,
    });
    await app.ready();
    const routes = [...app.printRoutes({ commonPrefix: false }).matchAll(/(\/\S*) \(([^)]+)\)/g)].map(
      ([, url, methods]) => `${url} ${methods}`,
    );
    assert.deepEqual(
      routes,
      HEALTH_ROUTES.map((r) => `${r} GET, HEAD`),
    );
    const secret = 'c2VjcmV0LXRva2VuLXZhbHVl';
    for (const [method, url] of [
      ['GET', `/debug/pprof?token=${secret}`],
      ['POST', `/metrics?token=${secret}`],
      ['GET', `/${secret}`],
      ['DELETE', '/healthz'],
    ] as const) {
      const res = await app.inject({ method, url, headers: { authorization: `Bearer ${secret}` } });
      assert.equal(res.statusCode, 404, `${method} ${url}`);
      assert.equal(res.body, 'not found: this port serves /healthz, /readyz, /metrics\n');
      assert.ok(!JSON.stringify(res.headers).includes(secret));
    }
    await app.close();
  });
});
