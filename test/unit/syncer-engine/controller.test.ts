/**
 * The controller over fake API servers (hub, member1, member2): caches filled by list and
 * watch, one reconcile after another, and the exact requests each cluster received, as
 * kubernetes/sample-controller tests its controller.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FINALIZER_CLEANUP } from '../../../syncer/names.ts';
import {
  COPY,
  controllerOver,
  MCS,
  markOf,
  SLICES,
  SOURCE,
  sourceSlice,
  world,
  writesSince,
} from './controller-world.ts';
import { apiError } from './fake-cluster.ts';
import { settle } from './fake-list-watch.ts';

describe('the controller', () => {
  it('carries a new MCS out: the finalizer first, then the copies, then the status and its events', async () => {
    const w = world();
    const mark = markOf(w);
    await controllerOver(w);
    const writes = writesSince(w, mark);
    assert.deepEqual(writes.member1, ['POST /api/v1/namespaces/default/services nginx']);
    assert.deepEqual(writes.member2, [
      'POST /api/v1/namespaces/default/services nginx',
      `POST ${SLICES} member1-nginx-abc`,
    ]);
    assert.deepEqual(writes.hub, [
      `PATCH ${MCS}`,
      `PATCH ${MCS}/status`,
      'POST /api/v1/namespaces/default/events nginx.',
      'POST /api/v1/namespaces/default/events nginx.',
    ]);
    assert.deepEqual((w.hub.get(MCS) as { metadata: { finalizers: string[] } }).metadata.finalizers, [
      FINALIZER_CLEANUP,
    ]);
    const copy = w.member2.get(COPY) as { endpoints: { addresses: string[] }[] };
    assert.deepEqual(copy.endpoints[0]?.addresses, ['10.10.0.5']);
  });

  it('makes no write when it starts again over what it carried out', async () => {
    const w = world();
    const first = await controllerOver(w);
    await first.controller.drainWrites();
    await first.controller.stopCaches();
    const mark = markOf(w);
    await controllerOver(w);
    assert.deepEqual(writesSince(w, mark), { hub: [], member1: [], member2: [] });
  });

  it('carries a change of the source slice with one write to the copy', async () => {
    const w = world();
    await controllerOver(w);
    const mark = markOf(w);
    w.member1.seed(SOURCE, sourceSlice('10.10.0.6') as never);
    await settle();
    const copy = w.member2.get(COPY) as { metadata: { resourceVersion: string } };
    assert.deepEqual(writesSince(w, mark).member2, [
      `PUT ${COPY} rv=${Number(copy.metadata.resourceVersion) - 1}`,
    ]);
  });

  it('writes its own copy again at once, from the server’s version, when its cache is behind', async () => {
    const w = world();
    const { clock } = await controllerOver(w);
    // The copy changed and its event has not come yet: as right after a write of our own.
    const stale = w.member2.get(COPY) as { metadata: { resourceVersion: string } };
    w.member2.seed(COPY, w.member2.get(COPY) as never, true);
    const mark = markOf(w);
    const at = clock.now();
    w.member1.seed(SOURCE, sourceSlice('10.10.0.7') as never);
    await settle();
    const v = Number(stale.metadata.resourceVersion);
    assert.deepEqual(writesSince(w, mark).member2, [`PUT ${COPY} rv=${v}`, `PUT ${COPY} rv=${v + 1}`]);
    assert.equal(clock.now(), at, 'no timer had to fire');
    const copy = w.member2.get(COPY) as { endpoints: { addresses: string[] }[] };
    assert.deepEqual(copy.endpoints[0]?.addresses, ['10.10.0.7']);
  });

  it('retries a failed write with a growing backoff', async () => {
    const w = world();
    for (let i = 0; i < 3; i++)
      w.member2.script('POST', SLICES, apiError(500, 'InternalError', 'etcd timed out'));
    const { clock } = await controllerOver(w);
    const attempts = () => w.member2.requests.filter((r) => r.startsWith(`POST ${SLICES}`)).length;
    const at: number[] = [];
    for (let t = 0; t < 2_000 && attempts() < 4; t += 10) {
      const before = attempts();
      clock.advance(10);
      await settle();
      if (attempts() > before) at.push(clock.now());
    }
    assert.deepEqual(at, [50, 150, 350], 'retried after 50, 100 and 200 ms');
    assert.ok(w.member2.get(COPY), 'the copy is in place after the retries');
  });

  it('reports a same-named slice that is not ours as a conflict, records an Event, and backs off', async () => {
    const w = world();
    // Without the service-name label: no cache of the syncer holds it.
    const foreign = w.member2.seed(COPY, { metadata: { name: 'member1-nginx-abc', namespace: 'default' } });
    const { clock } = await controllerOver(w);
    const status = w.hub.get(MCS) as {
      status: { conditions: { type: string; status: string; reason: string }[] };
    };
    const dispatched = status.status.conditions.find((c) => c.type === 'EndpointSliceDispatched');
    assert.equal(dispatched?.status, 'False');
    assert.equal(dispatched?.reason, 'EndpointSliceConflict');
    const events = w.hub.requests.filter((r) => r.startsWith('POST /api/v1/namespaces/default/events'));
    assert.ok(events.length >= 1);
    for (let t = 0; t < 60_000; t += 50) {
      clock.advance(50);
      await settle();
    }
    const creates = w.member2.requests.filter((r) => r.startsWith(`POST ${SLICES}`)).length;
    // 50 ms doubling: 0, 0.05, 0.15, 0.35, 0.75, 1.55, 3.15, 6.35, 12.75, 25.55, 51.15 s.
    assert.ok(creates <= 11, `${creates} attempts in a minute`);
    assert.equal(
      w.hub.requests.filter((r) => r.startsWith('POST /api/v1/namespaces/default/events')).length,
      events.length,
      'the Event is not repeated',
    );
    assert.deepEqual(w.member2.get(COPY), foreign, 'left unchanged');
  });

  it('withdraws its copies when the MCS is deleted, and removes the finalizer last', async () => {
    const w = world();
    const { clock } = await controllerOver(w);
    const mark = markOf(w);
    const mcs = w.hub.get(MCS) as { metadata: Record<string, unknown> };
    w.hub.seed(MCS, {
      ...mcs,
      metadata: { ...mcs.metadata, deletionTimestamp: '2030-01-01T00:00:00Z' },
    } as never);
    await settle();
    // The plan looks at the finalizer again once its deletes are in the caches.
    clock.advance(500);
    await settle();
    const writes = writesSince(w, mark);
    assert.deepEqual(
      writes.member2?.map((r) => r.split(' if ')[0]),
      [`DELETE ${COPY}`, 'DELETE /api/v1/namespaces/default/services/nginx'],
    );
    assert.deepEqual(
      writes.member1?.map((r) => r.split(' if ')[0]),
      ['DELETE /api/v1/namespaces/default/services/nginx'],
    );
    assert.equal(writes.hub?.at(-1), `PATCH ${MCS}`);
    assert.deepEqual((w.hub.get(MCS) as { metadata: { finalizers: string[] } }).metadata.finalizers, []);
  });
});
