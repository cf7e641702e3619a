import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose, renderJson, renderTable } from '../../../kubectl-mcs/report.ts';
import { healthy, M2, memberFacts, NOW, withMemberFacts } from './fixtures.ts';

describe('kubectl mcs diagnose: the table and the JSON', () => {
  it('prints a row per cluster and role, the conditions, the syncer, and no problem', () => {
    const text = renderTable(diagnose(healthy()));
    assert.equal(
      text,
      `MultiClusterService default/nginx (generation 1): types CrossCluster; providers member1; consumers member2
  ServiceApplied=True (ServiceAppliedSucceed): ok
  EndpointSliceDispatched=True (EndpointSliceDispatchedSucceed): ok
Hub: https://hub.example:6443; members from kubeconfig
Syncer: Lease mcs-system/mcs-bridge-syncer held by syncer-0_abcd, renewed 2s ago (lasts 15s)

CLUSTER   ROLE       READY   SERVICE            AS HUB   ENDPOINTS   COPIES               KUBE-DNS   OWN CIDRS
member1   provider   yes     ClusterIP 80/TCP   yes      2/2 ready   -                    -          -
member2   consumer   yes     ClusterIP 80/TCP   yes      -           2/2 ready, current   present    pod -; Service 10.98.0.0/16

No problems found.
`,
    );
  });

  it('gives a cluster that both provides and consumes a row in each role', () => {
    const f = healthy();
    const r = diagnose({ ...f, mcs: { ...f.mcs, spec: { types: ['CrossCluster'] } } });
    assert.deepEqual(
      r.rows.map((x) => `${x.cluster}/${x.role}`),
      ['member1/provider', 'member2/provider', 'member1/consumer', 'member2/consumer'],
    );
  });

  it('shows stale copies and how far behind in the row, and lists each problem with its next step', () => {
    const f = healthy();
    const stale = withMemberFacts(f, M2, {
      slices: memberFacts(f, M2).slices.map((s) => ({
        ...s,
        endpoints: (s.endpoints ?? []).slice(0, 1),
        metadata: { ...s.metadata, managedFields: [{ manager: 'syncer', time: new Date(NOW - 600_000) }] },
      })),
    });
    const text = renderTable(diagnose(stale));
    // member1's slice was written at T0 (its creation), a minute before the facts were read.
    assert.match(text, /\nmember2 {3}consumer {3}yes .* 1\/1 ready, stale \(60s behind\) /);
    assert.match(
      text,
      /\n1 problem:\n- CopiesStale \[member2\]: member2's copies hold 10\.10\.1\.1, the providers have/,
    );
    assert.match(text, /\n {2}next: the syncer follows changes within seconds/);
  });

  it('writes JSON with the rows and the problems, for scripts', () => {
    const f = withMemberFacts(healthy(), M2, { kubeDns: 'absent' });
    const parsed = JSON.parse(renderJson(diagnose(f)));
    assert.deepEqual(
      parsed.problems.map((p: { code: string }) => p.code),
      ['NoKubeDns'],
    );
    assert.equal(parsed.rows[1].kubeDns, 'absent');
    assert.equal(parsed.mcs.name, 'nginx');
  });
});
