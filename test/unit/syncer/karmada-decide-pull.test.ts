/**
 * Beside Karmada's MultiClusterService controllers with a Pull-mode member: the syncer sees that
 * member only through the Works of its execution space, so Karmada's copies there are invisible
 * and both sides' objects change hands as Works (syncer/karmada/pull-handover.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { type CoexistenceDecision, decideCoexistence } from '../../../syncer/karmada/decide.ts';
import { LABEL_MANAGED_BY, LABEL_MCS_NAME } from '../../../syncer/names.ts';
import { sliceCopy } from '../../../syncer/plan/slices.ts';
import { hubService, M1, M2, mcs, member, NS, served, T0 } from './fixtures.ts';
import { COPY, karmadaService, karmadaServing, seedWorks, sourceSlice, work } from './karmada-fixtures.ts';

const PROBE = new Date(T0).toISOString();
const probed = { probe: { value: PROBE, sentAt: T0 }, now: T0 + 30_000, takeover: true };
const PULL = { pullMembers: new Set([M2]) };

/** Our copy of member1's slice in member2, as read back from our Work there. */
function ourCopy(): V1EndpointSlice {
  return served.slice(sliceCopy(sourceSlice(), M1, NS, COPY));
}

/** Our Service copy in member2, as read back from our Work there. */
function ourService() {
  const labels = { [LABEL_MANAGED_BY]: 'mcs-bridge', [LABEL_MCS_NAME]: 'nginx' };
  return served.service({ ...hubService(), metadata: { name: 'nginx', namespace: NS, labels } }, '10.98.0.9');
}

/** Karmada serving the seed with member2 in Pull mode: nothing of Karmada's visible in member2. */
function pullConsumer(o: Parameters<typeof karmadaServing>[0] = {}) {
  return karmadaServing({
    ...PULL,
    clusters: [member(M1, { service: karmadaService('10.97.30.143'), slices: [sourceSlice()] }), member(M2)],
    ...o,
  });
}

/** Karmada's gate back on while mcs-bridge serves member2 (Pull) through its Works. */
function handingBack(o: { works?: ReturnType<typeof seedWorks>; ready?: boolean; ours?: boolean } = {}) {
  const ours = o.ours ?? true;
  return karmadaServing({
    ...PULL,
    mcs: mcs({ finalizer: true }),
    works: o.works ?? seedWorks(),
    clusters: [
      member(M1, { slices: [sourceSlice()] }),
      member(M2, {
        ready: o.ready ?? true,
        slices: ours ? [ourCopy()] : [],
        service: ours ? ourService() : undefined,
      }),
    ],
  });
}

function summary(d: CoexistenceDecision): string {
  switch (d.kind) {
    case 'standDown':
      return `standDown ${d.reason}; withdraw [${d.withdraw.map((w) => `${w.cluster} ${w.kind} ${w.object.metadata?.name}`).join(', ')}]; handBack ${d.handBack.length}; unlabel ${d.unlabel.length}; releaseFinalizer ${d.releaseFinalizer}`;
    case 'adopt':
      return `adopt services in [${d.services.map((s) => s.cluster)}], slices in [${d.slices.map((s) => s.cluster)}]`;
    case 'release':
      return `release ${d.works.length} Works; orphan in [${d.orphanIn}]`;
    default:
      return d.kind;
  }
}

describe('beside Karmada’s MultiClusterService controllers, with a Pull-mode member', () => {
  const table: { name: string; input: Parameters<typeof decideCoexistence>[0]; want: string }[] = [
    {
      name: 'stands down for Karmada’s Works alone: its copies in the Pull member are not visible from the hub',
      input: pullConsumer(),
      want: 'standDown KarmadaMachineryPresent; withdraw []; handBack 0; unlabel 0; releaseFinalizer false',
    },
    {
      name: 'after an unanswered probe, adopts in place only what it can see: the Push members’ copies',
      input: pullConsumer(probed),
      want: 'adopt services in [member1], slices in []',
    },
    {
      name: 'then releases Karmada’s Works naming the Pull member, whose agent must leave its objects in place',
      input: pullConsumer({
        ...probed,
        clusters: [member(M1, { slices: [sourceSlice()] }), member(M2)],
      }),
      want: 'release 3 Works; orphan in [member2]',
    },
    {
      name: 'releases with no member to orphan when every member is Push',
      input: pullConsumer({
        ...probed,
        pullMembers: new Set(),
        clusters: [member(M1, { slices: [sourceSlice()] }), member(M2)],
      }),
      want: 'release 3 Works; orphan in []',
    },
    {
      name: 'takes nothing over while the Pull member holding Karmada’s Works is not ready',
      input: pullConsumer({ ...probed, clusters: [member(M1), member(M2, { ready: false })] }),
      want: 'standDown TakeoverWaiting; withdraw []; handBack 0; unlabel 0; releaseFinalizer false',
    },
    {
      name: 'hands back in the Pull member by withdrawing our Works once Karmada’s Works claim their objects',
      input: handingBack(),
      want: 'standDown KarmadaMachineryPresent; withdraw [member2 EndpointSlice member1-nginx-7x5kn, member2 Service nginx]; handBack 0; unlabel 0; releaseFinalizer false',
    },
    {
      name: 'withdraws nothing from the Pull member before any of Karmada’s Works reaches it, and keeps its finalizer',
      input: handingBack({ works: [work('marker', M1), work('collected', M1)] }),
      want: 'standDown KarmadaMachineryPresent; withdraw []; handBack 0; unlabel 0; releaseFinalizer false',
    },
    {
      name: 'withdraws the Service but keeps the slice Work that no dispatched Work claims yet',
      input: handingBack({
        works: [work('marker', M1), { ...work('dispatched', M2), manifestName: `${M1}-nginx-other` }],
      }),
      want: 'standDown KarmadaMachineryPresent; withdraw [member2 Service nginx]; handBack 0; unlabel 0; releaseFinalizer false',
    },
    {
      name: 'withdraws nothing from a Pull member that is not ready',
      input: handingBack({ ready: false }),
      want: 'standDown KarmadaMachineryPresent; withdraw []; handBack 0; unlabel 0; releaseFinalizer false',
    },
    {
      name: 'releases its finalizer once no Work of ours is left in the Pull member',
      input: handingBack({ ours: false }),
      want: 'standDown KarmadaMachineryPresent; withdraw []; handBack 0; unlabel 0; releaseFinalizer true',
    },
  ];
  for (const t of table) {
    it(t.name, () => assert.equal(summary(decideCoexistence(t.input)), t.want));
  }
});
