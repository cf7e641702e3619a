import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLine } from '../../sandbox/commands.ts';
import {
  AGENT_GROUP,
  agentCommandLine,
  agentEnv,
  agentHubKubeconfig,
  agentRbacObjects,
  agentUser,
} from '../../sandbox/karmada-agent.ts';
import { allComponents, componentName, portsOf, sandboxLayout } from '../../sandbox/layout.ts';

const layout = sandboxLayout('/tmp/sb', 20000);

/** The value of `--name=` in an argv. */
const flag = (args: string[], name: string) =>
  args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

describe('members joined in Pull mode', () => {
  it('run a karmada-agent each, after Karmada’s programs, only when asked', () => {
    const shape = { karmada: { multiClusterService: false, pullMembers: ['member2' as const] } };
    const names = allComponents(shape).map(componentName);
    assert.equal(names.at(-1), 'karmada-agent-member2');
    assert.ok(!names.includes('karmada-agent-member1'));
    assert.ok(
      !allComponents({ karmada: { multiClusterService: false } }).some(
        (c) => c.component === 'karmada-agent',
      ),
    );
  });

  it('give each agent its own health and metrics ports (base+15..+18)', () => {
    const ports = (['member1', 'member2'] as const).flatMap((m) =>
      portsOf(layout, { component: 'karmada-agent', cluster: m }),
    );
    assert.deepEqual(ports, [20015, 20016, 20017, 20018]);
  });

  it('start the agent for their member, with the hub kubeconfig limited to it and no Secrets reported', () => {
    const args = agentCommandLine(layout, 'member2');
    assert.equal(flag(args, 'cluster-name'), 'member2');
    assert.equal(flag(args, 'karmada-context'), 'karmada-apiserver');
    assert.equal(flag(args, 'karmada-kubeconfig'), '/tmp/sb/kubeconfigs/karmada-agent-member2.kubeconfig');
    assert.equal(flag(args, 'cluster-api-endpoint'), 'https://127.0.0.1:20012');
    assert.equal(flag(args, 'report-secrets'), 'None');
    assert.equal(flag(args, 'leader-elect'), 'false');
    assert.equal(flag(args, 'feature-gates'), undefined, 'no Karmada feature gate is turned on');
    assert.deepEqual(agentEnv(layout, 'member2'), { KUBECONFIG: '/tmp/sb/kubeconfigs/member2.kubeconfig' });
    assert.deepEqual(
      commandLine(layout, { component: 'karmada-agent', cluster: 'member2' }, '/bin', {
        karmada: { multiClusterService: false },
      }),
      args,
    );
  });

  it('turn Karmada’s MultiClusterService gate on in the agent when the sandbox runs Karmada’s own MCS path', () => {
    const on = commandLine(layout, { component: 'karmada-agent', cluster: 'member2' }, '/bin', {
      karmada: { multiClusterService: true },
    });
    assert.equal(flag(on, 'feature-gates'), 'MultiClusterService=true');
    assert.deepEqual(on.slice(0, -1), agentCommandLine(layout, 'member2'), 'the rest as without the gate');
  });

  it('give the agent the identity karmadactl register’s CSR yields', () => {
    const kc = agentHubKubeconfig(layout, 'member1') as {
      users: { name: string; user: Record<string, string> }[];
      'current-context': string;
    };
    assert.equal(kc.users[0]?.name, 'system:karmada:agent:member1');
    assert.equal(kc.users[0]?.user['client-certificate'], '/tmp/sb/pki/karmada-agent/member1.crt');
    assert.equal(kc['current-context'], 'karmada-apiserver');
    assert.equal(agentUser('member1'), 'system:karmada:agent:member1');
    assert.equal(AGENT_GROUP, 'system:karmada:agents');
  });

  it('grant the agent register’s rights: Works only in its own execution space, its own Cluster’s status', () => {
    const objects = agentRbacObjects('member2') as {
      kind?: string;
      metadata?: { name?: string; namespace?: string };
      rules?: { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
    }[];
    assert.deepEqual(
      objects.map((o) => `${o.kind} ${o.metadata?.namespace ?? ''}/${o.metadata?.name}`),
      [
        'Namespace /karmada-es-member2',
        'ClusterRole /system:karmada:member2:agent',
        'ClusterRoleBinding /system:karmada:member2:agent',
        'Role karmada-es-member2/system:karmada:member2:agent-work',
        'RoleBinding karmada-es-member2/system:karmada:member2:agent-work',
      ],
    );
    const clusterRole = objects[1]?.rules ?? [];
    assert.ok(!clusterRole.some((r) => r.resources.includes('works')), 'no Works outside its own space');
    const status = clusterRole.find((r) => r.resources.includes('clusters/status'));
    assert.deepEqual(status?.resourceNames, ['member2']);
  });
});
