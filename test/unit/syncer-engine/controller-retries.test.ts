/**
 * How the controller retries: a recovery wipes only the backoff of the keys whose failures came
 * from the cluster that recovered, and a server's Retry-After is honoured within the cap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiException } from '@kubernetes/client-node';
import type { Controller } from '../../../syncer/engine/controller.ts';
import { controllerOver, MCS, SLICES, world } from './controller-world.ts';
import { apiError } from './fake-cluster.ts';
import { settle } from './fake-list-watch.ts';
import type { fakeTimers } from './fake-timers.ts';

type Clock = ReturnType<typeof fakeTimers>;

/** Moves the fake clock in 10 ms steps for `ms`, letting the workers run after each. */
async function run(clock: Clock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    clock.advance(10);
    await settle();
  }
}

/** The hub's health probe, as the controller's interval runs it. */
function hubProbe(c: Controller): Promise<void> {
  return (c as unknown as { hubHealth: { probe(): Promise<void> } }).hubHealth.probe();
}

const slicePosts = (w: ReturnType<typeof world>) =>
  w.member2.requests.filter((r) => r.startsWith(`POST ${SLICES}`)).length;
const statusPatches = (w: ReturnType<typeof world>) =>
  w.hub.requests.filter((r) => r.startsWith(`PATCH ${MCS}/status`)).length;

describe('the controller’s retries', () => {
  it('keeps the backoff of a key that failed against a member when the hub answers again', async () => {
    const w = world();
    for (let i = 0; i < 20; i++)
      w.member2.script('POST', SLICES, apiError(500, 'InternalError', 'etcd down'));
    const { controller, clock } = await controllerOver(w);
    await run(clock, 1_600); // failures at 0, 50, 150, 350, 750, 1550 ms: the next waits 3.2 s
    const before = slicePosts(w);
    for (let i = 0; i < 2; i++) {
      w.hub.script('GET', '/readyz', new Error('connect ECONNREFUSED'));
      await hubProbe(controller);
    }
    await hubProbe(controller); // answers again
    await run(clock, 100);
    assert.equal(slicePosts(w), before, 'member2 is not retried because the hub recovered');
  });

  it('keeps the backoff of a key that failed against the hub when a member answers again', async () => {
    const w = world();
    for (let i = 0; i < 20; i++)
      w.hub.script('PATCH', `${MCS}/status`, apiError(500, 'InternalError', 'etcd down'));
    const { controller, clock } = await controllerOver(w);
    await run(clock, 1_600);
    const before = statusPatches(w);
    for (let i = 0; i < 2; i++) {
      w.member1.script('GET', '/readyz', new Error('connect ECONNREFUSED'));
      await controller.clusters.probeAll();
    }
    await controller.clusters.probeAll(); // member1 answers again
    await run(clock, 100);
    assert.equal(statusPatches(w), before, 'the status write is not retried because member1 recovered');
  });

  it('retries a key that failed against the hub at once when the hub answers again', async () => {
    const w = world();
    for (let i = 0; i < 6; i++)
      w.hub.script('PATCH', `${MCS}/status`, apiError(500, 'InternalError', 'etcd down'));
    const { controller, clock } = await controllerOver(w);
    await run(clock, 1_600);
    const before = statusPatches(w);
    for (let i = 0; i < 2; i++) {
      w.hub.script('GET', '/readyz', new Error('connect ECONNREFUSED'));
      await hubProbe(controller);
    }
    await hubProbe(controller);
    await run(clock, 10);
    assert.ok(statusPatches(w) > before, 'retried within the bucket’s first token, not after 3.2 s');
  });

  it('waits out a 429’s Retry-After before writing to that member again', async () => {
    const w = world();
    const body = JSON.stringify({
      kind: 'Status',
      code: 429,
      reason: 'TooManyRequests',
      message: 'slow down',
    });
    w.member2.script('POST', SLICES, new ApiException(429, 'HTTP-Code: 429', body, { 'retry-after': '2' }));
    const { clock } = await controllerOver(w);
    assert.equal(slicePosts(w), 1);
    await run(clock, 1_990);
    assert.equal(slicePosts(w), 1, 'not retried after 50 ms');
    await run(clock, 20);
    assert.equal(slicePosts(w), 2, 'retried once the 2 s are over');
  });
});
