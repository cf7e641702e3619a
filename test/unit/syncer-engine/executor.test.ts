import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { type ExecutionTarget, executeActions } from '../../../syncer/engine/executor.ts';
import {
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_SLICE_MANAGED_BY,
  MANAGED_BY_MCS_BRIDGE,
  SLICE_MANAGER_SYNCER,
} from '../../../syncer/names.ts';
import type { Action } from '../../../syncer/plan/actions.ts';
import { apiError, FakeCluster } from './fake-cluster.ts';

const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';
const SERVICES = '/api/v1/namespaces/default/services';

const ourSlice = (name: string, ip: string): V1EndpointSlice => ({
  metadata: {
    name,
    namespace: 'default',
    labels: { [LABEL_SERVICE_NAME]: 'nginx', [LABEL_SLICE_MANAGED_BY]: SLICE_MANAGER_SYNCER },
  },
  addressType: 'IPv4',
  endpoints: [{ addresses: [ip] }],
});

const sliceAction = (
  verb: Action['verb'],
  name: string,
  ip: string,
  expected?: Action['expected'],
): Action => ({
  kind: 'EndpointSlice',
  cluster: 'member2',
  verb,
  namespace: 'default',
  name,
  reason: 'test',
  ...(verb === 'delete' ? {} : { object: ourSlice(name, ip) }),
  ...(expected ? { expected } : {}),
});

/** Runs `actions` against `fake`, recording what the echo hooks were told. */
async function run(fake: FakeCluster, actions: Action[], cached: Record<string, V1Service> = {}) {
  const answered: string[] = [];
  const target: ExecutionTarget = { client: fake, cachedService: (_ns, name) => cached[name] };
  const results = await executeActions(actions, (c) => (c === 'member2' ? target : undefined), {
    answered: (a, outcome) => answered.push(`${a.verb} ${a.name}: ${outcome}`),
  });
  return { results: results.map(({ action: _a, ...r }) => r), answered };
}

describe('the executor', () => {
  it('creates a copy and expects the echo of the version the server gave it', async () => {
    const fake = new FakeCluster();
    const { results, answered } = await run(fake, [sliceAction('create', 'm1-a', '10.0.0.1')]);
    assert.deepEqual(fake.requests, [`POST ${SLICES} m1-a`]);
    assert.deepEqual(results, [{}]);
    assert.deepEqual(answered, ['create m1-a: 101']);
  });

  it('reports a conflict, and writes nothing, when a create finds a same-named slice that is not ours', async () => {
    const fake = new FakeCluster();
    // No service-name label, so no cache of the syncer holds it.
    fake.seed(`${SLICES}/m1-a`, { metadata: { name: 'm1-a', namespace: 'default' } });
    const { results, answered } = await run(fake, [sliceAction('create', 'm1-a', '10.0.0.1')]);
    assert.deepEqual(fake.requests, [`POST ${SLICES} m1-a`, `GET ${SLICES}/m1-a`]);
    assert.deepEqual(results, [
      {
        conflict:
          'EndpointSlice default/m1-a in member2 exists and is not managed by mcs-bridge: it was left unchanged',
      },
    ]);
    assert.deepEqual(answered, ['create m1-a: failed'], 'no echo is expected of a write that was not made');
  });

  it('adopts a copy of its own that a create finds already there (its cache was behind)', async () => {
    const fake = new FakeCluster();
    fake.seed(`${SLICES}/m1-a`, ourSlice('m1-a', '10.0.0.9'));
    const { results, answered } = await run(fake, [sliceAction('create', 'm1-a', '10.0.0.1')]);
    assert.deepEqual(fake.requests, [
      `POST ${SLICES} m1-a`,
      `GET ${SLICES}/m1-a`,
      `PUT ${SLICES}/m1-a rv=101`,
    ]);
    assert.deepEqual(results, [{}]);
    assert.deepEqual(answered, ['create m1-a: 102']);
    assert.deepEqual((fake.get(`${SLICES}/m1-a`) as V1EndpointSlice).endpoints, [
      { addresses: ['10.0.0.1'] },
    ]);
  });

  it('writes its own copy again at once from the server’s version when an update meets a newer one', async () => {
    const fake = new FakeCluster();
    const stored = fake.seed(`${SLICES}/m1-a`, ourSlice('m1-a', '10.0.0.1'));
    const cachedVersion = stored.metadata?.resourceVersion ?? '';
    // Our own previous write, which the cache has not seen yet.
    fake.seed(`${SLICES}/m1-a`, ourSlice('m1-a', '10.0.0.2'));
    const update = sliceAction('update', 'm1-a', '10.0.0.3', { resourceVersion: cachedVersion });
    const { results, answered } = await run(fake, [update]);
    assert.deepEqual(fake.requests, [
      `PUT ${SLICES}/m1-a rv=101`,
      `GET ${SLICES}/m1-a`,
      `PUT ${SLICES}/m1-a rv=102`,
    ]);
    assert.deepEqual(results, [{}]);
    assert.deepEqual(answered, ['update m1-a: 103']);
  });

  it('gives up as stale when the object changes again under the retry', async () => {
    const fake = new FakeCluster();
    fake.seed(`${SLICES}/m1-a`, ourSlice('m1-a', '10.0.0.1'));
    fake.script('PUT', `${SLICES}/m1-a`, apiError(409, 'Conflict'));
    fake.script('PUT', `${SLICES}/m1-a`, apiError(409, 'Conflict'));
    const { results, answered } = await run(fake, [
      sliceAction('update', 'm1-a', '10.0.0.3', { resourceVersion: '101' }),
    ]);
    assert.deepEqual(results, [{ stale: true }]);
    assert.deepEqual(answered, ['update m1-a: failed']);
  });

  it('reports a conflict when the object an update meets is no longer ours', async () => {
    const fake = new FakeCluster();
    fake.seed(`${SLICES}/m1-a`, { metadata: { name: 'm1-a', namespace: 'default', labels: {} } });
    const { results } = await run(fake, [
      sliceAction('update', 'm1-a', '10.0.0.3', { resourceVersion: '99' }),
    ]);
    assert.deepEqual(fake.requests, [`PUT ${SLICES}/m1-a rv=99`, `GET ${SLICES}/m1-a`]);
    assert.match(results[0]?.conflict ?? '', /is not managed by mcs-bridge/);
  });

  it('counts an update of an object that went away as stale', async () => {
    const fake = new FakeCluster();
    const { results } = await run(fake, [
      sliceAction('update', 'm1-a', '10.0.0.3', { resourceVersion: '99' }),
    ]);
    assert.deepEqual(results, [{ stale: true }]);
  });

  it('deletes with the cached uid and resourceVersion as preconditions', async () => {
    const fake = new FakeCluster();
    const s = fake.seed(`${SLICES}/m1-a`, ourSlice('m1-a', '10.0.0.1'));
    const { results, answered } = await run(fake, [
      sliceAction('delete', 'm1-a', '', {
        uid: s.metadata?.uid,
        resourceVersion: s.metadata?.resourceVersion,
      }),
    ]);
    assert.deepEqual(fake.requests, [`DELETE ${SLICES}/m1-a if uid=uid-1 rv=101`]);
    assert.deepEqual(results, [{}]);
    assert.deepEqual(answered, ['delete m1-a: deleted']);
  });

  it('takes a delete answered 404 as done, and expects no echo of it', async () => {
    const fake = new FakeCluster();
    const { results, answered } = await run(fake, [
      sliceAction('delete', 'm1-a', '', { uid: 'u', resourceVersion: '1' }),
    ]);
    assert.deepEqual(results, [{}]);
    assert.deepEqual(answered, ['delete m1-a: undefined']);
  });

  it('deletes a copy of its own that changed since the cache read it, with its new preconditions', async () => {
    const fake = new FakeCluster();
    fake.seed(`${SLICES}/m1-a`, ourSlice('m1-a', '10.0.0.1'));
    const { results, answered } = await run(fake, [
      sliceAction('delete', 'm1-a', '', { uid: 'uid-1', resourceVersion: '100' }),
    ]);
    assert.deepEqual(fake.requests, [
      `DELETE ${SLICES}/m1-a if uid=uid-1 rv=100`,
      `GET ${SLICES}/m1-a`,
      `DELETE ${SLICES}/m1-a if uid=uid-1 rv=101`,
    ]);
    assert.deepEqual(results, [{}]);
    assert.deepEqual(answered, ['delete m1-a: deleted']);
  });

  it('leaves alone an object of the same name that is not ours when a delete meets it', async () => {
    const fake = new FakeCluster();
    fake.seed(`${SLICES}/m1-a`, { metadata: { name: 'm1-a', namespace: 'default' } });
    const { results } = await run(fake, [
      sliceAction('delete', 'm1-a', '', { uid: 'old', resourceVersion: '1' }),
    ]);
    assert.deepEqual(fake.requests, [`DELETE ${SLICES}/m1-a if uid=old rv=1`, `GET ${SLICES}/m1-a`]);
    assert.deepEqual(results, [{}]);
    assert.ok(fake.get(`${SLICES}/m1-a`));
  });

  it('takes a namespace someone else created as good, without reading it', async () => {
    const fake = new FakeCluster();
    fake.seed('/api/v1/namespaces/default', { metadata: { name: 'default' } });
    const ns: Action = {
      kind: 'Namespace',
      verb: 'create',
      cluster: 'member2',
      namespace: '',
      name: 'default',
      reason: 'missing',
      object: { metadata: { name: 'default' } },
    };
    const { results, answered } = await run(fake, [ns]);
    assert.deepEqual(fake.requests, ['POST /api/v1/namespaces default']);
    assert.deepEqual(results, [{}]);
    assert.deepEqual(answered, ['create default: undefined']);
  });

  it('updates a Service copy from the server’s object after a conflict, keeping what the member allocated', async () => {
    const fake = new FakeCluster();
    const copy: V1Service = {
      metadata: {
        name: 'nginx',
        namespace: 'default',
        labels: { [LABEL_MANAGED_BY]: MANAGED_BY_MCS_BRIDGE },
      },
      spec: { clusterIP: '10.98.0.7', ports: [{ port: 80 }] },
    };
    const cached = fake.seed(`${SERVICES}/nginx`, copy);
    fake.seed(`${SERVICES}/nginx`, {
      ...copy,
      spec: { ...copy.spec, clusterIP: '10.98.0.7', ports: [{ port: 81 }] },
    });
    const desired: V1Service = { ...copy, spec: { ports: [{ port: 8080 }] } };
    const update: Action = {
      kind: 'Service',
      verb: 'update',
      cluster: 'member2',
      namespace: 'default',
      name: 'nginx',
      reason: 'drift: spec.ports',
      object: desired,
      expected: { resourceVersion: cached.metadata?.resourceVersion },
    };
    const { results } = await run(fake, [update], { nginx: cached });
    assert.deepEqual(fake.requests, [
      `PUT ${SERVICES}/nginx rv=101`,
      `GET ${SERVICES}/nginx`,
      `PUT ${SERVICES}/nginx rv=102`,
    ]);
    assert.deepEqual(results, [{}]);
    assert.deepEqual((fake.get(`${SERVICES}/nginx`) as V1Service).spec, {
      clusterIP: '10.98.0.7',
      ports: [{ port: 8080 }],
    });
  });

  it('reports any other error with the API server’s message, and goes on with the next action', async () => {
    const fake = new FakeCluster();
    fake.script('POST', SLICES, apiError(500, 'InternalError', 'etcd is down'));
    const { results } = await run(fake, [
      sliceAction('create', 'm1-a', '10.0.0.1'),
      sliceAction('create', 'm1-b', '10.0.0.2'),
    ]);
    assert.deepEqual(results, [{ error: 'etcd is down (HTTP 500)' }, {}]);
  });

  it('fails every action of a cluster it does not know', async () => {
    const fake = new FakeCluster();
    const { results } = await run(fake, [{ ...sliceAction('create', 'm1-a', '10.0.0.1'), cluster: 'gone' }]);
    assert.deepEqual(results, [{ error: 'cluster gone is not known to the syncer any more' }]);
    assert.deepEqual(fake.requests, []);
  });
});
