import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cachedClusterDirectory, type Lookups, lookupWarnings } from '../../../webhook/lookups/lookups.ts';
import { mcs, silentLogger } from './fixtures.ts';

function lookups(overrides: Partial<Lookups>): Lookups {
  return { timeoutMs: 50, logger: silentLogger(), ...overrides };
}

describe('warnings that read the API', () => {
  it('says nothing when the Service exists and every cluster is known', async () => {
    const l = lookups({
      services: { serviceExists: async () => true },
      clusters: { clusterNames: async () => new Set(['member1', 'member2']) },
    });
    assert.deepEqual(await lookupWarnings(mcs(), 'default', l), []);
  });

  it('asks for the Service of the same name in the same namespace', async () => {
    const asked: string[] = [];
    const l = lookups({
      services: {
        serviceExists: async (ns, name) => {
          asked.push(`${ns}/${name}`);
          return true;
        },
      },
    });
    await lookupWarnings(mcs(), 'shop', l);
    assert.deepEqual(asked, ['shop/nginx']);
  });

  it('does not look for a Service when the type is LoadBalancer', async () => {
    const l = lookups({ services: { serviceExists: async () => false } });
    assert.deepEqual(await lookupWarnings(mcs({ types: ['LoadBalancer'] }), 'default', l), []);
  });

  it('names every unknown cluster with its field path', async () => {
    const l = lookups({ clusters: { clusterNames: async () => new Set(['member1']) } });
    const object = mcs({
      providerClusters: [{ name: 'member1' }, { name: 'member9' }],
      consumerClusters: [{ name: 'm7' }],
    });
    assert.deepEqual(await lookupWarnings(object, 'default', l), [
      'spec.providerClusters[1].name: cluster "member9" is not a known member cluster',
      'spec.consumerClusters[0].name: cluster "m7" is not a known member cluster',
    ]);
  });

  it('skips a warning whose read fails, and reports the failure', async () => {
    const failures: string[] = [];
    const l = lookups({
      services: {
        serviceExists: async () => {
          throw new Error('connection refused');
        },
      },
      clusters: {
        clusterNames: async () => {
          throw new Error('forbidden');
        },
      },
      onFailure: (lookup) => failures.push(lookup),
    });
    assert.deepEqual(await lookupWarnings(mcs(), 'default', l), []);
    assert.deepEqual(failures.sort(), ['clusters', 'services']);
  });

  it('gives up on a read that takes longer than its timeout', async () => {
    const failures: string[] = [];
    const never = new Promise<never>(() => undefined);
    const l = lookups({
      timeoutMs: 20,
      services: { serviceExists: () => never },
      onFailure: (x) => failures.push(x),
    });
    const started = Date.now();
    assert.deepEqual(await lookupWarnings(mcs(), 'default', l), []);
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(failures, ['services']);
  });

  it('aborts a read at its timeout, so its request is closed rather than left waiting', async () => {
    const aborted: string[] = [];
    const l = lookups({
      timeoutMs: 20,
      services: {
        serviceExists: (_ns, _name, signal) =>
          new Promise<boolean>((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted.push(`services: ${(signal.reason as Error).message}`);
              reject(signal.reason);
            }),
          ),
      },
      clusters: {
        clusterNames: (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted.push('clusters');
              reject(signal.reason);
            }),
          ),
      },
    });
    assert.deepEqual(await lookupWarnings(mcs(), 'default', l), []);
    assert.deepEqual(aborted.sort(), [
      'clusters',
      'services: reading Service default/nginx took longer than 20 ms',
    ]);
  });
});

describe('the cluster list cache', () => {
  it('reads the list once per period and again after it', async () => {
    let now = 0;
    let reads = 0;
    const cached = cachedClusterDirectory(
      {
        clusterNames: async () => {
          reads++;
          return new Set([`m${reads}`]);
        },
      },
      1000,
      { now: () => now },
    );
    assert.deepEqual([...(await cached.clusterNames(new AbortController().signal))], ['m1']);
    now = 999;
    assert.deepEqual([...(await cached.clusterNames(new AbortController().signal))], ['m1']);
    now = 1000;
    assert.deepEqual([...(await cached.clusterNames(new AbortController().signal))], ['m2']);
    assert.equal(reads, 2);
  });

  it('remembers a failure for the period too', async () => {
    let reads = 0;
    const cached = cachedClusterDirectory(
      {
        clusterNames: async () => {
          reads++;
          throw new Error('no such resource');
        },
      },
      1000,
      { now: () => 5 },
    );
    await assert.rejects(cached.clusterNames(new AbortController().signal), /no such resource/);
    await assert.rejects(cached.clusterNames(new AbortController().signal), /no such resource/);
    assert.equal(reads, 1);
  });
});
