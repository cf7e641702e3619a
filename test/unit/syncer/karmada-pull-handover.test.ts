import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bindingWorksToOrphan, finalizersAfterRelease } from '../../../syncer/karmada/pull-handover.ts';

const EXECUTION = 'karmada.io/execution-controller';
const DISPATCH = 'karmada.io/mcs-endpointslice-dispatch-controller';

describe('a Karmada Work released by a takeover', () => {
  const table: { name: string; finalizers: string[]; orphan: boolean; want: string[] | undefined }[] = [
    {
      name: 'loses the dispatch controller’s finalizer, which nobody removes while the gate is off',
      finalizers: [DISPATCH],
      orphan: false,
      want: [],
    },
    {
      name: 'keeps the execution controller’s in a Push member, whose copies were adopted in place first',
      finalizers: [EXECUTION],
      orphan: false,
      want: undefined,
    },
    {
      name: 'loses the execution controller’s in a Pull member, so the agent leaves what it holds',
      finalizers: [EXECUTION],
      orphan: true,
      want: [],
    },
    {
      name: 'keeps a finalizer of anyone else',
      finalizers: ['example.com/keep', EXECUTION, DISPATCH],
      orphan: true,
      want: ['example.com/keep'],
    },
    { name: 'is left alone when it carries none of them', finalizers: [], orphan: true, want: undefined },
  ];
  for (const t of table)
    it(t.name, () => assert.deepEqual(finalizersAfterRelease(t.finalizers, t.orphan), t.want));
});

describe('the Service binding’s Works orphaned before the binding goes', () => {
  const w = (namespace: string, finalizers: string[]) => ({
    metadata: { name: 'nginx-674d', namespace, finalizers },
  });

  it('are those in a Pull member’s execution space that still carry the execution finalizer', () => {
    const works = [
      w('karmada-es-member1', [EXECUTION]),
      w('karmada-es-member2', [EXECUTION]),
      w('karmada-es-member2x', [EXECUTION]),
      w('karmada-es-member3', []),
    ];
    assert.deepEqual(
      bindingWorksToOrphan(works, ['member2', 'member3']).map((x) => x.metadata.namespace),
      ['karmada-es-member2'],
    );
  });

  it('are none when no member is in Pull mode', () => {
    assert.deepEqual(bindingWorksToOrphan([w('karmada-es-member2', [EXECUTION])], []), []);
  });
});
