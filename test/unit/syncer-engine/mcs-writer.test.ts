import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { MultiClusterService } from '../../../lib/mcs-api.ts';
import { McsWriter } from '../../../syncer/engine/mcs-writer.ts';
import { CONDITION_STANDING_DOWN } from '../../../syncer/karmada/status.ts';
import { FINALIZER_CLEANUP } from '../../../syncer/names.ts';
import { FakeCluster } from './fake-cluster.ts';

const PATH = '/apis/networking.karmada.io/v1alpha1/namespaces/default/multiclusterservices/nginx';
const EVENTS = '/api/v1/namespaces/default/events';

function setup() {
  const hub = new FakeCluster('hub');
  const mcs = hub.seed(PATH, {
    metadata: { name: 'nginx', namespace: 'default', finalizers: ['other'] },
    spec: { types: ['CrossCluster'] },
  } as MultiClusterService & { metadata: object }) as MultiClusterService;
  // Two clocks: the monotonic one moves with advance(); the wall clock also steps on its own.
  let t = 1_000;
  let wallOffset = Date.UTC(2030, 0, 1);
  const clock = {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
    stepWall: (ms: number) => {
      wallOffset += ms;
    },
  };
  const clocks = { monotonic: clock.now, wall: () => t + wallOffset };
  const writer = new McsWriter(hub, pino({ level: 'silent' }), clocks, 'replica-a', 600_000, 5);
  return { hub, mcs, writer, clock };
}

const condition = {
  type: 'ServiceApplied',
  status: 'True' as const,
  reason: 'ok',
  message: 'ok',
  lastTransitionTime: 'x',
};
const eventsSent = (hub: FakeCluster) => hub.requests.filter((r) => r.startsWith(`POST ${EVENTS}`)).length;

describe('the writes on the MultiClusterService itself', () => {
  it('replaces the conditions with a merge patch of the status subresource, and returns the new version', async () => {
    const { hub, mcs, writer } = setup();
    const version = await writer.writeConditions(mcs, [condition]);
    assert.deepEqual(hub.requests, [`PATCH ${PATH}/status`]);
    const stored = hub.get(PATH) as MultiClusterService;
    assert.deepEqual(stored.status?.conditions, [condition]);
    assert.equal(version, stored.metadata?.resourceVersion);
  });

  it('keeps a condition someone else wrote since the cache was read, and writes ours from the server’s copy', async () => {
    const { hub, mcs, writer } = setup();
    const karmadas = {
      type: 'KarmadaReady',
      status: 'True' as const,
      reason: 'x',
      message: 'x',
      lastTransitionTime: 'y',
    };
    hub.seed(PATH, { ...(hub.get(PATH) as object), status: { conditions: [karmadas] } } as never);
    const version = await writer.writeConditions(mcs, [condition]);
    const stored = hub.get(PATH) as MultiClusterService;
    assert.deepEqual(stored.status?.conditions, [karmadas, condition]);
    assert.deepEqual(hub.requests, [`PATCH ${PATH}/status`, `GET ${PATH}`, `PATCH ${PATH}/status`]);
    assert.equal(version, stored.metadata?.resourceVersion);
  });

  it('writes nothing after a conflict when the server already holds our conditions', async () => {
    const { hub, mcs, writer } = setup();
    hub.seed(PATH, { ...(hub.get(PATH) as object), status: { conditions: [condition] } } as never);
    assert.equal(await writer.writeConditions(mcs, [condition]), undefined);
    assert.deepEqual(hub.requests, [`PATCH ${PATH}/status`, `GET ${PATH}`]);
  });

  it('removes only its own types: a StandingDown write leaves the served conditions as the server has them', async () => {
    const { hub, mcs, writer } = setup();
    const standing = { ...condition, type: CONDITION_STANDING_DOWN };
    hub.seed(PATH, { ...(hub.get(PATH) as object), status: { conditions: [condition, standing] } } as never);
    await writer.writeConditions(mcs, [], [CONDITION_STANDING_DOWN]);
    assert.deepEqual((hub.get(PATH) as MultiClusterService).status?.conditions, [condition]);
  });

  it('adds and removes its finalizer next to the others, guarded by the version it read', async () => {
    const { hub, mcs, writer } = setup();
    await writer.setFinalizer(mcs, true);
    const added = hub.get(PATH) as MultiClusterService;
    assert.deepEqual(added.metadata?.finalizers, ['other', FINALIZER_CLEANUP]);
    await assert.rejects(writer.setFinalizer(mcs, false), (err: { code?: number }) => err.code === 409);
    await writer.setFinalizer(added, false);
    assert.deepEqual((hub.get(PATH) as MultiClusterService).metadata?.finalizers, ['other']);
  });

  it('records a state event only when the status changed', async () => {
    const { hub, mcs, writer } = setup();
    const e = {
      type: 'Warning' as const,
      reason: 'ClusterNotReady',
      message: 'cluster member2 is not ready',
    };
    await writer.record(mcs, [e], false);
    assert.equal(eventsSent(hub), 0);
    await writer.record(mcs, [e], true);
    assert.equal(eventsSent(hub), 1);
  });

  it('records a failure once per message every ten minutes', async () => {
    const { hub, mcs, writer, clock } = setup();
    const e = {
      type: 'Warning' as const,
      reason: 'DispatchEndpointSliceFailed',
      message: 'failed: etcd timed out',
    };
    await writer.record(mcs, [e], false);
    await writer.record(mcs, [e], false);
    assert.equal(eventsSent(hub), 1);
    clock.advance(600_001);
    await writer.record(mcs, [e], false);
    assert.equal(eventsSent(hub), 2);
  });

  it('repeats a failure by the monotonic clock: a wall clock stepped forward an hour repeats nothing, one stepped back silences nothing', async () => {
    const { hub, mcs, writer, clock } = setup();
    const e = { type: 'Warning' as const, reason: 'SyncServiceFailed', message: 'failed: forbidden' };
    await writer.record(mcs, [e], false);
    clock.stepWall(3_600_000);
    await writer.record(mcs, [e], false);
    assert.equal(eventsSent(hub), 1);
    clock.stepWall(-7_200_000);
    clock.advance(600_001);
    await writer.record(mcs, [e], false);
    assert.equal(eventsSent(hub), 2);
  });

  it('stamps an Event with the wall clock', async () => {
    const { hub, mcs, writer, clock } = setup();
    clock.stepWall(-60_000);
    await writer.record(mcs, [{ type: 'Warning', reason: 'SyncServiceFailed', message: 'x' }], false);
    const sent = hub.under(EVENTS) as { firstTimestamp?: string }[];
    assert.deepEqual(
      sent.map((e) => e.firstTimestamp),
      [new Date(Date.UTC(2030, 0, 1) + 1_000 - 60_000).toISOString()],
    );
  });

  it('caps success events overall, 50 at once and then 5 a second', async () => {
    const { hub, writer, clock } = setup();
    const e = {
      type: 'Normal' as const,
      reason: 'DispatchEndpointSliceSucceed',
      message: 'created in member2',
    };
    for (let i = 0; i < 60; i++) {
      const other = { metadata: { name: 'nginx', namespace: 'default', uid: `u${i}` }, spec: {} };
      await writer.record(other, [e], true);
    }
    assert.equal(eventsSent(hub), 50);
    clock.advance(1_000);
    for (let i = 60; i < 70; i++) {
      const other = { metadata: { name: 'nginx', namespace: 'default', uid: `u${i}` }, spec: {} };
      await writer.record(other, [e], true);
    }
    assert.equal(eventsSent(hub), 55);
  });

  it('logs an event it could not record, and goes on', async () => {
    const { hub, mcs, writer } = setup();
    hub.script('POST', EVENTS, new Error('connection refused'));
    const e = { type: 'Warning' as const, reason: 'SyncServiceFailed', message: 'failed' };
    await writer.record(mcs, [e, { ...e, message: 'failed again' }], true);
    assert.equal(eventsSent(hub), 2);
  });
});
