import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { HubHealth } from '../../../syncer/engine/hub-health.ts';
import { FakeCluster } from './fake-cluster.ts';

describe('the hub probe', () => {
  it('reports a hub that stops answering after two probes, keeps quiet meanwhile, and recovers on one answer', async () => {
    const hub = new FakeCluster('hub');
    const ready: boolean[] = [];
    const lines: string[] = [];
    let recovered = 0;
    const health = new HubHealth({
      client: hub,
      logger: pino({}, { write: (l: string) => lines.push(JSON.parse(l).msg) }),
      setReady: (r) => ready.push(r),
      onRecovered: () => recovered++,
      probeTimeoutMs: 100,
    });
    await health.probe();
    hub.silent = true;
    await health.probe();
    assert.equal(health.ready, true, 'one lost probe is no outage');
    await health.probe();
    await health.probe();
    assert.equal(health.ready, false);
    hub.silent = false;
    await health.probe();
    assert.equal(health.ready, true);
    assert.deepEqual(ready, [true, false, true]);
    assert.equal(recovered, 1);
    assert.deepEqual(lines, [
      'the hub does not answer (GET /readyz: no answer within 100 ms): member clusters are kept as they are until it does',
      'the hub answers again: restarting its watches and reconciling everything',
    ]);
    assert.deepEqual(hub.requests, Array(5).fill('GET /readyz'));
  });
});
