import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import { planPods } from '../../dataplane/pod-mirror.ts';

const pod = (name: string, ip?: string, phase = 'Running'): V1Pod => ({
  metadata: { name },
  status: { phase, ...(ip ? { podIP: ip } : {}) },
});

describe('planning the pod namespaces of a member', () => {
  const cases: Array<{
    name: string;
    running: Array<[string, string]>;
    pods: V1Pod[];
    remove: string[];
    add: string[];
  }> = [
    {
      name: 'builds a namespace for each pod that has an IP, in address order',
      running: [],
      pods: [pod('b', '10.10.1.2'), pod('a', '10.10.1.1'), pod('pending')],
      remove: [],
      add: ['a@10.10.1.1', 'b@10.10.1.2'],
    },
    {
      name: 'changes nothing when every pod already has its namespace',
      running: [['10.10.1.1', 'a']],
      pods: [pod('a', '10.10.1.1')],
      remove: [],
      add: [],
    },
    {
      name: 'removes the namespace of a pod that is gone',
      running: [
        ['10.10.1.1', 'a'],
        ['10.10.1.2', 'b'],
      ],
      pods: [pod('b', '10.10.1.2')],
      remove: ['10.10.1.1'],
      add: [],
    },
    {
      name: 'rebuilds an address that kwok handed to another pod',
      running: [['10.10.1.1', 'old']],
      pods: [pod('new', '10.10.1.1')],
      remove: ['10.10.1.1'],
      add: ['new@10.10.1.1'],
    },
    {
      name: 'removes the namespace of a pod that has finished, as its container no longer runs',
      running: [['10.10.1.1', 'a']],
      pods: [pod('a', '10.10.1.1', 'Succeeded')],
      remove: ['10.10.1.1'],
      add: [],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planPods(new Map(c.running), c.pods);
      assert.deepEqual(plan.remove, c.remove);
      assert.deepEqual(
        plan.add.map((p) => `${p.name}@${p.ip}`),
        c.add,
      );
    });
  }
});
