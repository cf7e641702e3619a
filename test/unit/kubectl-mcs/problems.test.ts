import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiagnoseFacts, ProbeResult } from '../../../kubectl-mcs/facts.ts';
import { diagnose } from '../../../kubectl-mcs/report.ts';
import { hubService, localSlice, mcs, served } from '../syncer/fixtures.ts';
import { healthy, M1, M2, memberFacts, NOW, reportedMcs, withMemberFacts } from './fixtures.ts';

const codes = (f: DiagnoseFacts) =>
  diagnose(f).problems.map((p) => `${p.code}${p.cluster ? `@${p.cluster}` : ''}`);
const only = (f: DiagnoseFacts, code: string) => {
  const p = diagnose(f).problems.find((x) => x.code === code);
  assert.ok(p, `a ${code} problem among ${codes(f).join(', ')}`);
  return p;
};

/** `f` with probes from member2's curl pod that found `results`. */
function probed(f: DiagnoseFacts, results: ProbeResult[]): DiagnoseFacts {
  return { ...f, probes: { from: 'member2/default/curl-1', cluster: M2, timeoutMs: 2000, results } };
}

/** member2's copies as they were before member1 changed its endpoints at `changedAt`. */
function staleSince(changedAt: number): DiagnoseFacts {
  const before = healthy(['10.10.1.1', '10.10.1.2']);
  const after = healthy(['10.10.1.1', '10.10.1.3']);
  const stamp = <T extends { metadata?: object }>(o: T, at: number): T => ({
    ...o,
    metadata: { ...o.metadata, managedFields: [{ manager: 'x', time: new Date(at) }] },
  });
  const m1 = memberFacts(after, M1);
  const m2 = memberFacts(before, M2);
  return withMemberFacts(
    withMemberFacts(after, M1, { slices: m1.slices.map((s) => stamp(s, changedAt)) }),
    M2,
    { slices: m2.slices.map((s) => stamp(s, changedAt - 300_000)) },
  );
}

describe('kubectl mcs diagnose: the problems it names', () => {
  const cases: [string, (f: DiagnoseFacts) => DiagnoseFacts, string[]][] = [
    ['finds nothing wrong with what a working syncer leaves behind', (f) => f, []],
    [
      'says an MCS of type LoadBalancer only is not carried out, and nothing about its clusters',
      (f) => ({ ...f, mcs: reportedMcs({ types: ['LoadBalancer'] }) }),
      ['NotCrossCluster'],
    ],
    ['says the hub lacks the Service', (f) => ({ ...f, hubService: undefined }), ['HubServiceMissing']],
    [
      'says an ExternalName hub Service has nothing to dispatch',
      (f) => ({ ...f, hubService: hubService({ type: 'ExternalName', externalName: 'example.com' }) }),
      ['HubServiceUnsupported'],
    ],
    [
      'says the syncer has not reported on an MCS without conditions',
      (f) => ({ ...f, mcs: { ...f.mcs, status: {} } }),
      ['NotReconciled'],
    ],
    [
      'says the syncer has not reported on the latest generation',
      (f) => ({ ...f, mcs: { ...reportedMcs({ generation: 2 }) } }),
      ['NotReconciled'],
    ],
    [
      'repeats a False condition the syncer wrote',
      (f) => ({
        ...f,
        mcs: reportedMcs({}, [
          {
            type: 'EndpointSliceDispatched',
            status: 'False',
            observedGeneration: 1,
            lastTransitionTime: '2026-01-01T00:00:05Z',
            reason: 'ClusterNotReady',
            message: 'cluster member2 is not ready',
          },
          {
            type: 'ServiceApplied',
            status: 'True',
            observedGeneration: 1,
            lastTransitionTime: '2026-01-01T00:00:05Z',
            reason: 'ServiceAppliedSucceed',
            message: 'ok',
          },
        ]),
      }),
      ['SyncerReportsFailure'],
    ],
    [
      'names a consumer that matches no member cluster',
      (f) => ({ ...f, mcs: reportedMcs({ consumers: [M2, 'member9'] }) }),
      ['ClusterNotFound@member9'],
    ],
    [
      'says a member is not ready when its source says so',
      (f) =>
        withMemberFacts(f, M2, { sourceReady: false, sourceReason: 'its Karmada Ready condition is False' }),
      ['ClusterNotReady@member2'],
    ],
    [
      'says a member is not ready when its API server is not',
      (f) =>
        withMemberFacts(f, M1, {
          apiReady: false,
          apiDetail: 'its API server answered /readyz with HTTP 500',
        }),
      ['ClusterNotReady@member1'],
    ],
    [
      'says a provider has no ready endpoint',
      () => {
        const f = healthy();
        const notReady = localSlice(M1, 'nginx-aaaaa', ['10.10.1.1'], { ready: false });
        // member2's copies are current (ready: false there too): only the provider is at fault.
        return withMemberFacts(withMemberFacts(f, M1, { slices: [notReady] }), M2, {
          slices: memberFacts(f, M2).slices.map((s) => ({
            ...s,
            endpoints: [
              {
                addresses: ['10.10.1.1'],
                conditions: { ready: false, serving: false, terminating: false },
                nodeName: 'member1-node',
                zone: 'zone-a',
              },
            ],
          })),
        });
      },
      ['NoReadyEndpoints@member1'],
    ],
    [
      'says a consumer lacks the Service',
      (f) => withMemberFacts(f, M2, { service: undefined }),
      ['ServiceMissing@member2'],
    ],
    [
      "says a consumer's Service differs from the hub's",
      (f) => {
        const svc = memberFacts(f, M2).service;
        const spec = { ...svc?.spec, ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }] };
        return withMemberFacts(f, M2, { service: { ...svc, spec } });
      },
      ['ServiceDiffers@member2'],
    ],
    [
      'says a consumer holds no copy',
      (f) => withMemberFacts(f, M2, { slices: [] }),
      ['CopiesMissing@member2'],
    ],
    ['says stale copies are stale', () => staleSince(NOW - 41_000), ['CopiesStale@member2']],
    [
      'says a foreign Service in the way is a conflict',
      (f) => {
        const foreign = served.service(
          { metadata: { name: 'nginx', namespace: 'default' }, spec: { ports: [{ port: 80 }] } },
          '10.98.0.20',
        );
        return withMemberFacts(f, M2, { service: foreign });
      },
      ['Conflict'],
    ],
    [
      'says no syncer leads when the Lease outlived its duration',
      (f) => ({ ...f, lease: { ...f.lease, renewTime: new Date(NOW - 60_000).toISOString() } }),
      ['SyncerNotLeading'],
    ],
    [
      'says no syncer runs when there is no Lease and no /readyz to ask',
      (f) => ({ ...f, lease: { ref: f.lease.ref, state: 'absent' } }),
      ['SyncerNotRunning'],
    ],
    [
      'accepts a syncer without leader election when its /readyz says ready',
      (f) => ({
        ...f,
        lease: { ref: f.lease.ref, state: 'absent' },
        readyz: { url: 'http://127.0.0.1:8081', state: 'ready', detail: 'HTTP 200: ok' },
      }),
      [],
    ],
    [
      'says the syncer does not run when its /readyz does not answer',
      (f) => ({
        ...f,
        readyz: { url: 'http://127.0.0.1:8081', state: 'unreachable', detail: 'ECONNREFUSED' },
      }),
      ['SyncerNotRunning'],
    ],
    [
      'says the syncer is not ready when its /readyz says so',
      (f) => ({
        ...f,
        readyz: { url: 'http://127.0.0.1:8081', state: 'not-ready', detail: 'HTTP 503: not ready' },
      }),
      ['SyncerNotReady'],
    ],
    [
      "says a provider's endpoints fall inside the consumer's pod CIDR",
      (f) =>
        withMemberFacts(f, M2, {
          ranges: {
            ranges: [{ cidr: '10.10.0.0/16', kind: 'pod', origin: 'node member2-node', exact: true }],
            unknown: [],
          },
        }),
      ['CIDROverlap@member2'],
    ],
    [
      'says a consumer lacks kube-dns',
      (f) => withMemberFacts(f, M2, { kubeDns: 'absent' }),
      ['NoKubeDns@member2'],
    ],
    [
      'names every endpoint a probe could not connect to',
      (f) =>
        probed(f, [
          { provider: M1, ip: '10.10.1.1', port: 80, outcome: 'connected', detail: 'in 1ms' },
          { provider: M1, ip: '10.10.1.2', port: 80, outcome: 'unreachable', detail: 'no answer within 2s' },
        ]),
      ['EndpointUnreachable@member2'],
    ],
  ];
  for (const [name, change, expected] of cases) {
    it(name, () => assert.deepEqual(codes(change(healthy())), expected));
  }

  it('says how far behind stale copies are, and what each side holds', () => {
    const p = only(staleSince(NOW - 41_000), 'CopiesStale');
    assert.equal(
      p.message,
      "member2's copies hold 10.10.1.1, 10.10.1.2, the providers have 10.10.1.1 (member1), 10.10.1.3 (member1); the providers changed them 41s ago",
    );
  });

  it('names the unreachable endpoint, its provider and the pod it was tried from', () => {
    const p = only(
      probed(healthy(), [
        { provider: M1, ip: '10.10.1.2', port: 80, outcome: 'unreachable', detail: 'no answer within 2s' },
      ]),
      'EndpointUnreachable',
    );
    assert.equal(
      p.message,
      'member2/default/curl-1 cannot connect to 10.10.1.2:80 (member1): no answer within 2s',
    );
    assert.match(p.next, /pod network between member2 and member1/);
  });

  it('gives every problem a next step', () => {
    const f = { ...healthy(), hubService: undefined, lease: { ref: 'a/b', state: 'absent' as const } };
    for (const p of diagnose(f).problems) assert.ok(p.next.length > 20, `${p.code} says what to check next`);
  });

  it('reads the seed MCS fixture the same way the syncer does (empty cluster lists mean all members)', () => {
    const f = {
      ...healthy(),
      mcs: { ...mcs(), spec: { types: ['CrossCluster' as const] }, status: healthy().mcs.status },
    };
    const r = diagnose(f);
    assert.deepEqual(r.mcs.providers, [M1, M2]);
    assert.deepEqual(r.mcs.consumers, [M1, M2]);
  });
});
