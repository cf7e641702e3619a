import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { McsCondition } from '../../../syncer/api/types.ts';
import { amendWithWorkRefusals, workRefusals } from '../../../syncer/karmada/pull-status.ts';
import { ANNOTATION_WORK_APPLIED, ANNOTATION_WORK_REF } from '../../../syncer/karmada/pull-works.ts';
import type { McsSnapshot, MemberSnapshot } from '../../../syncer/plan/snapshot.ts';
import type { StatusUpdate } from '../../../syncer/plan/status.ts';
import { memberFromCluster } from '../../../syncer/sources/karmada-cluster.ts';

const T = '2026-12-07T18:00:00Z';
const LATER = '2026-12-07T18:05:00Z';

function copy(name: string, applied?: string) {
  return {
    addressType: 'IPv4',
    metadata: {
      name,
      namespace: 'default',
      labels: {
        'kubernetes.io/service-name': 'nginx',
        'endpointslice.kubernetes.io/managed-by': 'syncer.mcs-bridge.io',
      },
      annotations: {
        [ANNOTATION_WORK_REF]: `karmada-es-member2/mcs-bridge-endpointslice-default-${name}`,
        ...(applied ? { [ANNOTATION_WORK_APPLIED]: applied } : {}),
      },
    },
  };
}

function snapshot(member2: Partial<MemberSnapshot>): McsSnapshot {
  return {
    namespace: 'default',
    name: 'nginx',
    hubSynced: true,
    clusters: [{ name: 'member2', ready: true, synced: true, endpointSlices: [], ...member2 }],
    now: 0,
  };
}

const ok = (type: string): McsCondition => ({
  type,
  status: 'True',
  reason: `${type}Succeed`,
  message: 'fine',
  lastTransitionTime: T,
});
const computed: StatusUpdate = {
  conditions: [ok('ServiceApplied'), ok('EndpointSliceDispatched')],
  changed: false,
  events: [],
};

describe('what the agents made of the syncer’s Works, on the MCS status', () => {
  it('a refused slice Work turns EndpointSliceDispatched False with the agent’s message', () => {
    const refusals = workRefusals(
      snapshot({ endpointSlices: [copy('member1-nginx-abc', 'False: already exists')] }),
    );
    const got = amendWithWorkRefusals(computed, refusals, computed.conditions, LATER);
    const c = got.conditions.find((x) => x.type === 'EndpointSliceDispatched');
    assert.equal(c?.status, 'False');
    assert.equal(c?.reason, 'WorkNotApplied');
    assert.equal(
      c?.message,
      "EndpointSlice default/member1-nginx-abc in member2: Work karmada-es-member2/mcs-bridge-endpointslice-default-member1-nginx-abc not applied by the cluster's karmada-agent: already exists",
    );
    assert.equal(c?.lastTransitionTime, LATER);
    assert.equal(got.conditions.find((x) => x.type === 'ServiceApplied')?.status, 'True');
    assert.ok(got.changed);
    assert.deepEqual(
      got.events.map((e) => e.reason),
      ['WorkNotApplied'],
    );
  });

  it('the same refusal again changes nothing and records no event', () => {
    const refusals = workRefusals(
      snapshot({ endpointSlices: [copy('member1-nginx-abc', 'False: already exists')] }),
    );
    const first = amendWithWorkRefusals(computed, refusals, computed.conditions, LATER);
    const again = amendWithWorkRefusals(computed, refusals, first.conditions, '2026-12-07T18:09:00Z');
    assert.equal(again.changed, false);
    assert.deepEqual(again.events, []);
    assert.equal(
      again.conditions.find((x) => x.type === 'EndpointSliceDispatched')?.lastTransitionTime,
      LATER,
    );
  });

  const quiet: { name: string; member2: Partial<MemberSnapshot> }[] = [
    { name: 'a Work the agent applied', member2: { endpointSlices: [copy('member1-nginx-abc', 'True')] } },
    {
      name: 'a Work the agent has not reported on yet',
      member2: { endpointSlices: [copy('member1-nginx-abc')] },
    },
    {
      name: 'a refused slice that is not ours (a report of the provider’s own slice)',
      member2: {
        endpointSlices: [
          {
            addressType: 'IPv4',
            metadata: {
              name: 'nginx-xyz',
              labels: { 'kubernetes.io/service-name': 'nginx' },
              annotations: { [ANNOTATION_WORK_APPLIED]: 'False: whatever' },
            },
          },
        ],
      },
    },
  ];
  for (const c of quiet) {
    it(`${c.name} leaves the status as computed`, () => {
      const got = amendWithWorkRefusals(
        computed,
        workRefusals(snapshot(c.member2)),
        computed.conditions,
        LATER,
      );
      assert.equal(got, computed);
    });
  }
});

describe('a Pull-mode Cluster as a member', () => {
  const cluster = (ready?: { status: string; reason?: string }) => ({
    metadata: { name: 'member2' },
    spec: { syncMode: 'Pull', apiEndpoint: 'https://10.0.0.2:6443' },
    status: ready
      ? { conditions: [{ type: 'Ready', message: '', lastTransitionTime: new Date(T), ...ready }] }
      : undefined,
  });
  const cases: {
    name: string;
    ready?: { status: string; reason?: string };
    want: boolean;
    reason?: RegExp;
  }[] = [
    { name: 'is ready while its agent reports it Ready', ready: { status: 'True' }, want: true },
    {
      name: 'is not ready when its agent stopped reporting, saying since when',
      ready: { status: 'Unknown', reason: 'ClusterStatusUnknown' },
      want: false,
      reason: /karmada-agent reports it not ready: Ready is Unknown \(ClusterStatusUnknown\) since/,
    },
    {
      name: 'is not ready before any agent reported',
      want: false,
      reason: /no karmada-agent has reported/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const m = memberFromCluster(cluster(c.ready) as never, {});
      assert.equal(m.pull, true);
      assert.equal(m.sourceReady, c.want);
      if (c.reason) assert.match(m.sourceReason ?? '', c.reason);
    });
  }

  it('is not ready once its Cluster is being deleted, so nothing is written into a leaving member', () => {
    const leaving = {
      ...cluster({ status: 'True' }),
      metadata: { name: 'member2', deletionTimestamp: new Date(T) },
    };
    const m = memberFromCluster(leaving as never, {});
    assert.equal(m.sourceReady, false);
    assert.match(m.sourceReason ?? '', /being deleted/);
  });

  it('changes its fingerprint when the Cluster changes mode, so its client is rebuilt', () => {
    const pull = memberFromCluster(cluster({ status: 'True' }) as never, {});
    const push = memberFromCluster(
      {
        ...cluster({ status: 'True' }),
        spec: { syncMode: 'Push', apiEndpoint: 'https://10.0.0.2:6443' },
      } as never,
      {},
    );
    assert.notEqual(pull.fingerprint, push.fingerprint);
    assert.equal(push.pull, undefined);
  });
});
