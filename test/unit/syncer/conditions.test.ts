/** The one place a MultiClusterService's conditions are set, and how ours go onto someone else's list. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { McsCondition } from '../../../lib/mcs-api.ts';
import { CONDITION_STANDING_DOWN, standingDownConditions } from '../../../syncer/karmada/status.ts';
import { CONDITION_ENDPOINTS_OUTSIDE_CONSUMER_CIDRS } from '../../../syncer/network/overlaps.ts';
import { rebaseConditions, SERVED_CONDITION_TYPES, setConditions } from '../../../syncer/plan/conditions.ts';

const T0 = Date.UTC(2030, 0, 1);
const c = (type: string, status: 'True' | 'False', reason = 'R', at = 'old'): McsCondition => ({
  type,
  status,
  reason,
  message: `${type} ${reason}`,
  lastTransitionTime: at,
});
const wanted = (type: string, status: 'True' | 'False', reason = 'R') => {
  const { lastTransitionTime: _t, ...rest } = c(type, status, reason);
  return rest;
};

describe('setting the conditions of a MultiClusterService', () => {
  const cases: Array<{
    name: string;
    previous: McsCondition[];
    set: ReturnType<typeof wanted>[];
    remove: string[];
    conditions: McsCondition[];
    changed: boolean;
  }> = [
    {
      name: 'a condition set as it was changes nothing, time included',
      previous: [c('A', 'True')],
      set: [wanted('A', 'True')],
      remove: [],
      conditions: [c('A', 'True')],
      changed: false,
    },
    {
      name: 'a new reason with the same status keeps the transition time',
      previous: [c('A', 'True')],
      set: [wanted('A', 'True', 'Other')],
      remove: [],
      conditions: [c('A', 'True', 'Other')],
      changed: true,
    },
    {
      name: 'a new status moves the transition time to now',
      previous: [c('A', 'True')],
      set: [wanted('A', 'False')],
      remove: [],
      conditions: [c('A', 'False', 'R', '2030-01-01T00:00:00Z')],
      changed: true,
    },
    {
      name: 'conditions of other types stay in place, ours go after them',
      previous: [c('A', 'True'), c('Theirs', 'True')],
      set: [wanted('A', 'True')],
      remove: [],
      conditions: [c('Theirs', 'True'), c('A', 'True')],
      changed: false,
    },
    {
      name: 'removing a condition that is there is a change; one that is not, none',
      previous: [c('A', 'True')],
      set: [],
      remove: ['A', 'B'],
      conditions: [],
      changed: true,
    },
  ];
  for (const t of cases) {
    it(t.name, () => {
      assert.deepEqual(setConditions(t.previous, t.set, t.remove, T0), {
        conditions: t.conditions,
        changed: t.changed,
      });
    });
  }

  it('cuts a message to what the API server accepts', () => {
    const long = { ...wanted('A', 'False'), message: 'x'.repeat(40_000) };
    const [set] = setConditions([], [long], [], T0).conditions;
    assert.equal(set?.message.length, 32_768);
  });
});

describe('putting our conditions onto the server’s list', () => {
  it('replaces only the types we own and keeps everyone else’s', () => {
    const server = [c('KarmadaThing', 'True'), c('ServiceApplied', 'False')];
    const ours = [c('ServiceApplied', 'True'), c('EndpointSliceDispatched', 'True')];
    assert.deepEqual(rebaseConditions(server, ours, SERVED_CONDITION_TYPES), {
      conditions: [
        c('KarmadaThing', 'True'),
        c('ServiceApplied', 'True'),
        c('EndpointSliceDispatched', 'True'),
      ],
      changed: true,
    });
  });

  it('says nothing changed when the server holds ours already', () => {
    const server = [c('ServiceApplied', 'True')];
    assert.equal(
      rebaseConditions(server, [c('ServiceApplied', 'True')], SERVED_CONDITION_TYPES).changed,
      false,
    );
  });

  it('owns the overlap check’s condition among the served ones', () => {
    assert.ok(SERVED_CONDITION_TYPES.includes(CONDITION_ENDPOINTS_OUTSIDE_CONSUMER_CIDRS));
  });
});

describe('the StandingDown condition', () => {
  it('holds the decision’s reason and message and nothing else of it', () => {
    const decision = {
      kind: 'standDown',
      reason: 'KarmadaMachineryPresent' as const,
      message: 'Karmada serves it',
      handBack: [],
      unlabel: [],
    };
    assert.deepEqual(standingDownConditions([], decision, T0).conditions, [
      {
        type: CONDITION_STANDING_DOWN,
        status: 'True',
        reason: 'KarmadaMachineryPresent',
        message: 'Karmada serves it',
        lastTransitionTime: '2030-01-01T00:00:00Z',
      },
    ]);
  });
});
