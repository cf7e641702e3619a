/**
 * A long run of writes under 429s through one cluster client and its write gate: thousands of
 * writes, fifty in flight at once, every one answered 429 with a Retry-After. Nothing may pile
 * up on the gate's long-lived signal (listeners), and Node must print no
 * MaxListenersExceededWarning, which it did once more than ten writes were in flight.
 */
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { httpCode } from '../../../lib/kube-errors.ts';
import { realTimers } from '../../../lib/timers.ts';
import { ClusterClient } from '../../../syncer/kube/cluster-client.ts';
import { WriteGate } from '../../../syncer/kube/write-gate.ts';
import { type LoopbackApi, startLoopbackApi } from '../harness/loopback-api.ts';

const WRITES = 2_000;
const IN_FLIGHT = 50;

describe('writes under 429s', () => {
  let api: LoopbackApi;
  before(async () => {
    api = await startLoopbackApi();
    api.answer = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ kind: 'Status', code: 429, reason: 'TooManyRequests', message: 'slow down' }));
    };
  });
  after(() => api.close());

  it('leave no listener on the write gate’s signal and raise no MaxListenersExceededWarning', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);
    process.on('warning', onWarning);
    try {
      const gate = new WriteGate(() => 0, true, realTimers);
      const client = new ClusterClient('member2', api.kc, { inc: () => {} }, gate);
      let sent = 0;
      let mostListeners = 0;
      const codes = new Map<string, number>();
      const lane = async () => {
        while (sent < WRITES) {
          sent++;
          const write = client.write('update', {
            method: 'PUT',
            path: `/api/v1/namespaces/default/configmaps/c${sent}`,
            body: { metadata: { name: `c${sent}` } },
          });
          mostListeners = Math.max(mostListeners, getEventListeners(gate.signal, 'abort').length);
          try {
            await write;
          } catch (err) {
            const retryAfter = (err as { headers?: Record<string, string> }).headers?.['retry-after'];
            const key = `${httpCode(err)} retry after ${retryAfter} s`;
            codes.set(key, (codes.get(key) ?? 0) + 1);
          }
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
      await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
      assert.deepEqual(
        [...codes],
        [['429 retry after 1 s', WRITES]],
        'every write answered 429 with its Retry-After',
      );
      assert.ok(mostListeners <= 1, `${mostListeners} abort listeners on the gate's signal at once`);
      assert.ok(getEventListeners(gate.signal, 'abort').length <= 1, 'none left behind');
      assert.deepEqual(
        warnings.filter((w) => w.includes('MaxListenersExceeded')),
        [],
      );
    } finally {
      process.off('warning', onWarning);
    }
  });
});
