import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ClusterRegistry } from '../../../syncer/engine/clusters.ts';
import { SyncerMetrics } from '../../../syncer/engine/metrics.ts';
import type { MemberDefinition } from '../../../syncer/sources/source.ts';
import { FakeCluster } from './fake-cluster.ts';
import { settle } from './fake-list-watch.ts';
import { fakeTimers } from './fake-timers.ts';

const def = (name: string, fingerprint = name, sourceReady = true): MemberDefinition => ({
  name,
  kubeConfig: new KubeConfig(),
  sourceReady,
  fingerprint,
});

const registries: ClusterRegistry[] = [];
afterEach(async () => {
  for (const r of registries.splice(0)) await r.stop();
});

/** A registry over fake members, recording what it reports. */
function registryOf(fakes: Record<string, FakeCluster>, probeTimeoutMs = 200) {
  const changes: string[] = [];
  const made: string[] = [];
  const registry = new ClusterRegistry({
    logger: pino({ level: 'silent' }),
    metrics: new SyncerMetrics(new Registry()),
    now: Date.now,
    onEvent: () => {},
    onChange: (cluster, what) => changes.push(`${cluster} ${what}`),
    probeTimeoutMs,
    clientFor: (d) => {
      made.push(`${d.name}@${d.fingerprint}`);
      const fake = fakes[d.name];
      if (!fake) throw new Error(`no fake for ${d.name}`);
      return fake;
    },
  });
  registries.push(registry);
  return { registry, changes, made };
}

describe('the cluster registry', () => {
  it('starts new members together: one that never answers holds up neither the others nor the update past one probe', async () => {
    const silent = new FakeCluster('member3');
    silent.silent = true;
    const fakes = {
      member1: new FakeCluster('member1'),
      member2: new FakeCluster('member2'),
      member3: silent,
    };
    const clock = fakeTimers();
    silent.timers = clock.timers;
    const { registry, changes } = registryOf(fakes, 300);
    let done = false;
    const update = registry.update([def('member1'), def('member2'), def('member3')]).then(() => {
      done = true;
    });
    await settle();
    assert.deepEqual(
      registry.list().map((m) => `${m.name} ready=${m.ready}`),
      ['member1 ready=true', 'member2 ready=true', 'member3 ready=false'],
      'the answering members are ready while the silent one is still being probed',
    );
    clock.advance(299);
    await settle();
    assert.equal(done, false, 'the update waits for the silent member’s first probe…');
    clock.advance(1);
    await update;
    assert.equal(clock.now(), 300, '…and no longer than its bound');
    await settle();
    const state = registry.list().map((m) => `${m.name} ready=${m.ready} synced=${m.cache.synced}`);
    assert.deepEqual(state, [
      'member1 ready=true synced=true',
      'member2 ready=true synced=true',
      'member3 ready=false synced=false',
    ]);
    assert.match(registry.get('member3')?.reason ?? '', /did not answer \/readyz/);
    assert.deepEqual(changes.filter((c) => !c.endsWith('synced')).sort(), [
      'member1 added',
      'member1 ready',
      'member2 added',
      'member2 ready',
      'member3 added',
      'member3 not-ready',
    ]);
    assert.deepEqual(changes.filter((c) => c.endsWith('synced')).sort(), [
      'member1 synced',
      'member2 synced',
    ]);
  });

  it('needs two failed probes in a row to call a reachable member not ready, and one success to take it back, restarting its watches', async () => {
    const m1 = new FakeCluster('member1');
    const { registry, changes } = registryOf({ member1: m1 }, 100);
    await registry.update([def('member1')]);
    await settle();
    changes.length = 0;
    m1.silent = true;
    await registry.probeAll();
    assert.equal(registry.get('member1')?.ready, true, 'one lost probe is no outage');
    await registry.probeAll();
    assert.equal(registry.get('member1')?.ready, false);
    m1.silent = false;
    const mark = m1.requests.length;
    await registry.probeAll();
    await settle();
    assert.equal(registry.get('member1')?.ready, true);
    assert.deepEqual(changes, ['member1 not-ready', 'member1 ready']);
    assert.deepEqual(
      m1.requests
        .slice(mark)
        .filter((r) => r.startsWith('WATCH'))
        .map((r) => r.split(' ')[1])
        .sort(),
      ['/api/v1/namespaces', '/api/v1/nodes', '/api/v1/services', '/apis/discovery.k8s.io/v1/endpointslices'],
      'its cache’s three watches and its Nodes watch were started afresh (the fake serves no ServiceCIDR API)',
    );
  });

  it('follows the source: a cluster the source calls not ready is not ready, whatever its probes say', async () => {
    const { registry } = registryOf({ member1: new FakeCluster('member1') });
    await registry.update([def('member1', 'a', false)]);
    assert.equal(registry.get('member1')?.ready, false);
    assert.equal(registry.get('member1')?.reason, 'the cluster source reports it not ready');
    await registry.update([def('member1', 'a', true)]);
    assert.equal(registry.get('member1')?.ready, true);
  });

  it('makes a client for a member whose endpoint or credentials changed, and removes one the source dropped', async () => {
    const fakes = { member1: new FakeCluster('member1'), member2: new FakeCluster('member2') };
    const { registry, changes, made } = registryOf(fakes);
    await registry.update([def('member1', 'a'), def('member2')]);
    await registry.update([def('member1', 'b')]);
    assert.deepEqual(made, ['member1@a', 'member2@member2', 'member1@b']);
    assert.deepEqual(
      registry.list().map((m) => m.name),
      ['member1'],
    );
    assert.ok(changes.includes('member2 removed'));
    assert.ok(!changes.includes('member1 removed'), 'a replaced member is not reported removed');
  });

  it('updates a member whose credentials changed in place: never missing, its cache kept, its requests on the new ones', async () => {
    const clients: Record<string, FakeCluster> = {
      a: new FakeCluster('member1'),
      b: new FakeCluster('member1'),
    };
    const lines: string[] = [];
    const registry = new ClusterRegistry({
      logger: pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l).msg) }),
      metrics: new SyncerMetrics(new Registry()),
      now: () => 0,
      onEvent: () => {},
      onChange: () => {},
      clientFor: (d) => clients[d.fingerprint] ?? new FakeCluster(d.name),
    });
    registries.push(registry);
    await registry.update([def('member1', 'a')]);
    await settle();
    const before = registry.get('member1');
    assert.ok(before?.cache.synced);
    const update = registry.update([def('member1', 'b')]);
    // A reconcile that runs while the update is under way finds the member, cache and all.
    assert.equal(registry.get('member1'), before, 'the member never left the registry');
    await update;
    await settle();
    const after = registry.get('member1');
    assert.equal(after, before);
    assert.equal(after?.cache, before?.cache, 'its cache is kept');
    assert.equal(after?.cache.synced, true);
    assert.equal(after?.fingerprint, 'b');
    await after?.client.request('get', { method: 'GET', path: '/api/v1/namespaces/x' }).catch(() => {});
    assert.ok(
      clients.b?.requests.includes('GET /api/v1/namespaces/x'),
      'requests go with the new credentials',
    );
    assert.ok(
      clients.b?.requests.some((q) => q.startsWith('WATCH /apis/discovery.k8s.io/v1/endpointslices from ')),
      'its watches reopened with the new credentials',
    );
    assert.deepEqual(
      lines.filter((l) => /added|removed/.test(l)),
      ['member cluster member1 added'],
      'it was neither removed nor added again',
    );
  });

  it('starts a member afresh when it switches between Push and Pull mode: a new cache, not the old one resumed', async () => {
    const { registry, made } = registryOf({ member1: new FakeCluster('member1') });
    await registry.update([def('member1', 'push')]);
    await settle();
    const before = registry.get('member1');
    assert.equal(before?.pull, false);
    await registry.update([{ ...def('member1', 'pull'), pull: true }]);
    await settle();
    const after = registry.get('member1');
    assert.equal(after?.pull, true);
    assert.notEqual(after?.cache, before?.cache, 'resourceVersions of the member mean nothing to the Works');
    assert.deepEqual(made, ['member1@push', 'member1@pull']);
  });

  it('says so, once, while a member keeps credentials its source could not read again', async () => {
    const lines: string[] = [];
    const registry = new ClusterRegistry({
      logger: pino({ level: 'info' }, { write: (l: string) => lines.push(JSON.parse(l).msg) }),
      metrics: new SyncerMetrics(new Registry()),
      now: () => 0,
      onEvent: () => {},
      onChange: () => {},
      clientFor: (d) => new FakeCluster(d.name),
    });
    registries.push(registry);
    const warning =
      'cannot read its Secret karmada-cluster/member1: 403; it keeps the credentials last read from karmada-cluster/member1';
    await registry.update([def('member1', 'a')]);
    await registry.update([{ ...def('member1', 'a'), credentialsWarning: warning }]);
    await registry.update([{ ...def('member1', 'a'), credentialsWarning: warning }]);
    assert.equal(registry.get('member1')?.credentialsWarning, warning);
    assert.equal(registry.get('member1')?.ready, true, 'still ready on the credentials it has');
    await registry.update([def('member1', 'a')]);
    assert.equal(registry.get('member1')?.credentialsWarning, undefined);
    assert.deepEqual(
      lines.filter((l) => /Secret|credentials/.test(l)),
      [`member cluster member1: ${warning}`, 'member cluster member1: its credentials were read again'],
    );
  });
});
