import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DiagnoseFacts, PullFacts } from '../../../kubectl-mcs/facts.ts';
import { diagnose } from '../../../kubectl-mcs/report.ts';
import { healthy, M1, M2, NOW, withMemberFacts } from './fixtures.ts';

const codes = (f: DiagnoseFacts) =>
  diagnose(f).problems.map((p) => `${p.code}${p.cluster ? `@${p.cluster}` : ''}`);
const problem = (f: DiagnoseFacts, code: string) => {
  const p = diagnose(f).problems.find((x) => x.code === code);
  assert.ok(p, `a ${code} problem among ${codes(f).join(', ')}`);
  return p;
};

const serviceWork = {
  name: 'mcs-bridge-service-default-nginx',
  kind: 'Service',
  applied: 'True',
  exports: true,
};
const sliceWork = {
  name: 'mcs-bridge-endpointslice-default-member1-nginx-aaaaa',
  kind: 'EndpointSlice',
  applied: 'True',
  exports: false,
};
const beat = { state: 'present' as const, renewTime: new Date(NOW - 3_000).toISOString() };

/** The healthy baseline with `name` a Pull-mode member whose hub-side facts are `pull`. */
function pulled(name: string, pull: PullFacts, change: object = {}): DiagnoseFacts {
  return withMemberFacts({ ...healthy(), source: 'karmada' }, name, { pull, ...change });
}

describe('kubectl mcs diagnose: a Pull-mode member’s broken link', () => {
  const cases: [string, DiagnoseFacts, string[]][] = [
    [
      'finds nothing wrong with a Pull consumer whose agent applied every Work',
      pulled(M2, { works: [serviceWork, sliceWork], reports: 0, heartbeat: beat }),
      [],
    ],
    [
      'finds nothing wrong with a Pull provider whose agent reported its slice',
      pulled(M1, { works: [serviceWork], reports: 1, heartbeat: beat }),
      [],
    ],
    [
      'names a Pull member whose agent stopped reporting',
      pulled(
        M2,
        {
          works: [serviceWork, sliceWork],
          reports: 0,
          heartbeat: { state: 'present', renewTime: new Date(NOW - 300_000).toISOString() },
        },
        {
          sourceReady: false,
          sourceReason: 'its karmada-agent reports it not ready: Ready is Unknown (ClusterStatusUnknown)',
        },
      ),
      ['AgentNotReporting@member2'],
    ],
    [
      'names a Work the agent did not apply',
      pulled(M2, {
        works: [serviceWork, { ...sliceWork, applied: 'False: already exists in the cluster member2' }],
        reports: 0,
        heartbeat: beat,
      }),
      ['WorkNotApplied@member2'],
    ],
    [
      'names a Pull provider whose agent reported no EndpointSlice',
      pulled(M1, { works: [{ ...serviceWork, applied: undefined }], reports: 0, heartbeat: beat }),
      ['ReportMissing@member1'],
    ],
  ];
  for (const [name, facts, want] of cases) {
    it(name, () => {
      assert.deepEqual(codes(facts), want);
    });
  }

  it('gives the last heartbeat of an agent that stopped reporting', () => {
    const f = pulled(
      M2,
      {
        works: [],
        reports: 0,
        heartbeat: { state: 'present', renewTime: new Date(NOW - 300_000).toISOString() },
      },
      {
        sourceReady: false,
        sourceReason: 'its karmada-agent reports it not ready: Ready is Unknown (ClusterStatusUnknown)',
      },
    );
    const p = problem(f, 'AgentNotReporting');
    assert.match(p.message, /member2 is a Pull-mode cluster and not ready: .*Ready is Unknown/);
    assert.match(
      p.message,
      /last renewed its Lease karmada-cluster\/member2 5m0s ago|last renewed its Lease karmada-cluster\/member2 5m ago|300/,
    );
    assert.match(p.next, /karmada-agent running beside member2/);
  });

  it('gives the agent’s message for a Work it did not apply', () => {
    const f = pulled(M2, {
      works: [serviceWork, { ...sliceWork, applied: 'False: already exists in the cluster member2' }],
      reports: 0,
      heartbeat: beat,
    });
    assert.match(
      problem(f, 'WorkNotApplied').message,
      /Work karmada-es-member2\/mcs-bridge-endpointslice-default-member1-nginx-aaaaa \(EndpointSlice\) is not applied by member2's karmada-agent: already exists/,
    );
  });

  it('points a missing report at the ServiceExport CRD and the member’s slices', () => {
    const p = problem(pulled(M1, { works: [serviceWork], reports: 0, heartbeat: beat }), 'ReportMissing');
    assert.match(p.message, /member1's karmada-agent reported no EndpointSlice of default\/nginx/);
    assert.match(p.next, /ServiceExport CRD \(v1alpha1\)/);
  });
});
