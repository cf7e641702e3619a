import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { type CoexistenceDecision, decideCoexistence } from '../../../syncer/karmada/decide.ts';
import { LABEL_MANAGED_BY, LABEL_MCS_NAME } from '../../../syncer/names.ts';
import { sliceCopy } from '../../../syncer/plan/slices.ts';
import { hubService, localSlice, M1, M2, mcs, member, NS, served, T0 } from './fixtures.ts';
import {
  COPY,
  karmadaCopy,
  karmadaService,
  karmadaServing,
  SOURCE,
  seedWorks,
  sourceSlice,
  work,
} from './karmada-fixtures.ts';

const PROBE = new Date(T0).toISOString();
const probed = { probe: { value: PROBE, sentAt: T0 }, now: T0 + 30_000, takeover: true };

/** Our copy of member1's slice in member2, as mcs-bridge dispatches it. */
function ourCopy(): V1EndpointSlice {
  return served.slice(sliceCopy(sourceSlice(), M1, NS, COPY));
}

/** Our Service copy (labels ours), optionally overwritten by Karmada since (which keeps our labels). */
function ourService(overwrittenByKarmada: boolean) {
  const ours = { [LABEL_MANAGED_BY]: 'mcs-bridge', [LABEL_MCS_NAME]: 'nginx' };
  if (overwrittenByKarmada) return karmadaService('10.98.0.9', ours);
  return served.service(
    { ...hubService(), metadata: { name: 'nginx', namespace: NS, labels: ours } },
    '10.98.0.9',
  );
}

function kind(d: CoexistenceDecision): string {
  return d.kind === 'standDown' ? `standDown: ${d.reason}` : d.kind;
}

describe('beside Karmada’s MultiClusterService controllers, mcs-bridge', () => {
  const table: { name: string; input: Parameters<typeof decideCoexistence>[0]; want: string }[] = [
    {
      name: 'serves an MCS for which Karmada holds nothing',
      input: karmadaServing({ works: [], clusters: [member(M1), member(M2)] }),
      want: 'serve',
    },
    {
      name: 'stands down while Karmada’s Works and copies exist, when no takeover is allowed',
      input: karmadaServing(),
      want: 'standDown: KarmadaMachineryPresent',
    },
    {
      name: 'stands down for Karmada’s copy alone, its Works already gone',
      input: karmadaServing({ works: [], clusters: [member(M1), member(M2, { slices: [karmadaCopy()] })] }),
      want: 'standDown: KarmadaMachineryPresent',
    },
    {
      name: 'serves beside a copy of Karmada’s dispatcher in a cluster that does not consume the MCS (left from another MCS)',
      input: karmadaServing({ works: [], clusters: [member(M1, { slices: [karmadaCopy()] }), member(M2)] }),
      want: 'serve',
    },
    {
      name: 'serves beside a Service a PropagationPolicy put in the members (not the MCS path’s)',
      input: karmadaServing({
        works: [],
        clusters: [
          member(M1, {
            service: served.service(
              {
                ...hubService(),
                metadata: { name: 'nginx', namespace: NS, labels: { 'karmada.io/managed': 'true' } },
              },
              '10.97.0.1',
            ),
          }),
          member(M2),
        ],
      }),
      want: 'serve',
    },
    {
      name: 'with --karmada-takeover, first probes whether Karmada’s MultiClusterService controller runs',
      input: karmadaServing({ takeover: true }),
      want: 'probe',
    },
    {
      name: 'waits for the answer until the probe times out',
      input: karmadaServing({ ...probed, now: T0 + 29_999 }),
      want: 'wait',
    },
    {
      name: 'stands down when Karmada’s marker Work copied the probe: its gate is on',
      input: karmadaServing({ ...probed, works: seedWorks(PROBE) }),
      want: 'standDown: KarmadaControllersRunning',
    },
    {
      name: 'after an unanswered probe, adopts Karmada’s copies in place',
      input: karmadaServing(probed),
      want: 'adopt',
    },
    {
      name: 'takes nothing over while a cluster holding Karmada’s objects is not ready',
      input: karmadaServing({
        ...probed,
        clusters: [member(M1, { service: karmadaService('10.97.0.1') }), member(M2, { ready: false })],
      }),
      want: 'standDown: TakeoverWaiting',
    },
    {
      name: 'after adopting, waits until the source slices no longer carry karmada.io/managed',
      input: karmadaServing({
        ...probed,
        clusters: [member(M1, { slices: [sourceSlice({ karmadaLabels: true })] }), member(M2)],
      }),
      want: 'wait',
    },
    {
      name: 'then releases Karmada’s Works and its finalizer',
      input: karmadaServing({ ...probed, clusters: [member(M1, { slices: [sourceSlice()] }), member(M2)] }),
      want: 'release',
    },
    {
      name: 'releases Karmada’s finalizer when nothing else of its machinery is left',
      input: karmadaServing({ ...probed, works: [], clusters: [member(M1), member(M2)] }),
      want: 'release',
    },
    {
      name: 'serves once Karmada’s machinery and finalizer are gone, takeover or not',
      input: karmadaServing({ ...probed, mcs: mcs(), works: [], clusters: [member(M1), member(M2)] }),
      want: 'serve',
    },
  ];
  for (const t of table) {
    it(t.name, () => assert.equal(kind(decideCoexistence(t.input)), t.want));
  }

  it('stands down writing nothing in the members, and says where Karmada’s machinery is', () => {
    const d = decideCoexistence(karmadaServing());
    assert.equal(d.kind, 'standDown');
    if (d.kind !== 'standDown') return;
    assert.deepEqual([d.handBack, d.unlabel, d.releaseFinalizer], [[], [], false]);
    assert.match(d.message, /its Works in karmada-es-member1, karmada-es-member2/);
    assert.match(d.message, /its EndpointSlice copies in member2; its Service copies in member1, member2/);
    assert.match(d.message, /--karmada-takeover/);
  });

  it('keeps the same message as Karmada’s copies come and go (no condition flapping)', () => {
    const more = karmadaServing({
      works: [...seedWorks(), { ...work('dispatched', M2), name: 'other-1', manifestName: 'member1-other' }],
    });
    assert.equal(
      (decideCoexistence(more) as { message: string }).message,
      (decideCoexistence(karmadaServing()) as { message: string }).message,
    );
  });

  it('probes with the current time as the value, and looks for exactly that value', () => {
    const d = decideCoexistence(karmadaServing({ takeover: true }));
    assert.deepEqual(d, { kind: 'probe', value: PROBE });
    const stale = decideCoexistence(
      karmadaServing({ ...probed, works: seedWorks('2025-01-01T00:00:00.000Z') }),
    );
    assert.equal(stale.kind, 'adopt', 'a value left by an earlier probe is no answer');
  });

  it('adopts every Service and EndpointSlice copy Karmada holds, and a copy it left behind unlabelled', () => {
    const d = decideCoexistence(
      karmadaServing({
        ...probed,
        clusters: [
          member(M1, { service: karmadaService('10.97.0.1') }),
          member(M2, { service: karmadaService('10.98.0.1'), slices: [karmadaCopy({ held: false })] }),
        ],
      }),
    );
    assert.equal(d.kind, 'adopt');
    if (d.kind !== 'adopt') return;
    assert.deepEqual(
      d.services.map((s) => s.cluster),
      [M1, M2],
    );
    assert.deepEqual(
      d.slices.map((s) => `${s.cluster}/${s.object.metadata?.name}`),
      [`${M2}/${COPY}`],
    );
  });

  it('releases every Work of the MCS, and the finalizer only while Karmada’s is on it', () => {
    const d = decideCoexistence(
      karmadaServing({ ...probed, clusters: [member(M1, { slices: [sourceSlice()] }), member(M2)] }),
    );
    assert.deepEqual(d.kind === 'release' && [d.works.map((w) => w.role), d.removeFinalizer], [
      ['marker', 'collected', 'dispatched'],
      true,
    ]);
  });

  describe('when Karmada’s gate comes back on while mcs-bridge serves', () => {
    const back = (ours: { copy: boolean; service: boolean | 'overwritten'; finalizer: boolean }) =>
      karmadaServing({
        mcs: mcs({ finalizer: ours.finalizer }),
        clusters: [
          member(M1, { slices: [localSlice(M1, SOURCE, ['10.10.1.1'])] }),
          member(M2, {
            slices: ours.copy ? [ourCopy()] : [karmadaCopy()],
            service:
              ours.service === false
                ? karmadaService('10.98.0.9')
                : ourService(ours.service === 'overwritten'),
          }),
        ],
      });

    it('hands our copy back, in place, to the dispatched Work that claims its name', () => {
      const d = decideCoexistence(back({ copy: true, service: 'overwritten', finalizer: true }));
      assert.equal(d.kind, 'standDown');
      if (d.kind !== 'standDown') return;
      assert.deepEqual(
        d.handBack.map((h) => [h.cluster, h.object.metadata?.name, h.work.namespace]),
        [[M2, COPY, 'karmada-es-member2']],
      );
    });

    it('drops our labels from a Service copy Karmada has overwritten, and leaves one it has not reached yet', () => {
      const overwritten = decideCoexistence(back({ copy: false, service: 'overwritten', finalizer: true }));
      assert.deepEqual(overwritten.kind === 'standDown' && overwritten.unlabel.map((u) => u.cluster), [M2]);
      const notYet = decideCoexistence(back({ copy: false, service: true, finalizer: true }));
      assert.deepEqual(notYet.kind === 'standDown' && [notYet.unlabel, notYet.releaseFinalizer], [[], false]);
    });

    it('keeps our finalizer while anything of ours is left, and releases it after', () => {
      const left = decideCoexistence(back({ copy: true, service: 'overwritten', finalizer: true }));
      assert.equal(left.kind === 'standDown' && left.releaseFinalizer, false);
      const none = decideCoexistence(back({ copy: false, service: false, finalizer: true }));
      assert.equal(none.kind === 'standDown' && none.releaseFinalizer, true);
      const without = decideCoexistence(back({ copy: false, service: false, finalizer: false }));
      assert.equal(without.kind === 'standDown' && without.releaseFinalizer, false, 'nothing to release');
    });

    it('hands nothing back into a cluster that is not ready', () => {
      const input = back({ copy: true, service: 'overwritten', finalizer: true });
      const unready = {
        ...input,
        clusters: input.clusters.map((m) => (m.name === M2 ? { ...m, ready: false } : m)),
      };
      const d = decideCoexistence(unready);
      assert.deepEqual(d.kind === 'standDown' && [d.handBack, d.unlabel, d.releaseFinalizer], [
        [],
        [],
        false,
      ]);
    });
  });
});
