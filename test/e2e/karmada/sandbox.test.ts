/**
 * The Karmada sandbox is real: Karmada v1.18.2's own programs run against the hub, its
 * aggregated apiserver serves the Cluster API, member1 and member2 are Ready in Push mode,
 * and a Deployment with a PropagationPolicy reaches member1 (and only member1) through
 * Karmada's scheduler and its binding and execution controllers. Last, the whole sandbox goes
 * down leaving no process or port, and comes back up for the suites after this one.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1Deployment,
} from '@kubernetes/client-node';
import { BINDING_API, CLUSTER_API, WORK_API, waitClustersReady } from '../../sandbox/karmada.ts';
import { allComponents, componentName, KARMADA_COMPONENTS, MEMBERS, portsOf } from '../../sandbox/layout.ts';
import { findSandboxProcesses, portIsFree } from '../../sandbox/processes.ts';
import { Sandbox } from '../../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  loadFixture,
  runCommand,
  uniqueName,
  useSandbox,
} from '../../sandbox/testing.ts';

const STEP = { timeout: 180_000 };

interface Conditioned {
  metadata?: { name?: string; labels?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: { conditions?: { type: string; status: string }[]; kubernetesVersion?: string };
}
const condition = (o: Conditioned, type: string) =>
  o.status?.conditions?.find((c) => c.type === type)?.status;

describe('the Karmada sandbox', () => {
  let sb: Sandbox;
  const ns = uniqueName('karmada');
  let cleanup: () => Promise<void> = async () => {};
  const custom = () => sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);

  before(async () => {
    sb = await useSandbox();
    assert.ok(sb.karmada, 'the sandbox runs Karmada (make test-e2e starts it with --karmada)');
    cleanup = await createNamespace(sb, ns);
  });
  after(() => cleanup());

  it("runs Karmada v1.18.2's own programs, stamped with their version", async () => {
    for (const component of KARMADA_COMPONENTS) {
      const out = await runCommand(path.join(sb.binDir, component), ['version']);
      assert.match(out.stdout + out.stderr, /GitVersion:"v1\.18\.2"/, `${component} version`);
    }
  });

  it('serves Cluster from karmada-aggregated-apiserver, with member1 and member2 Ready in Push mode', async () => {
    const api = (await custom().getClusterCustomObject({
      group: 'apiregistration.k8s.io',
      version: 'v1',
      plural: 'apiservices',
      name: 'v1alpha1.cluster.karmada.io',
    })) as Conditioned;
    assert.equal(condition(api, 'Available'), 'True', 'the APIService is Available');
    const crds = await sb.kubeConfig('hub').makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    assert.ok(
      !crds.items.some((c) => c.spec.group === 'cluster.karmada.io'),
      'no CRD stands in for the Cluster API',
    );
    for (const member of MEMBERS) {
      const c = (await custom().getClusterCustomObject({ ...CLUSTER_API, name: member })) as Conditioned;
      assert.equal(c.spec?.syncMode, 'Push');
      assert.equal(c.spec?.apiEndpoint, sb.server(member));
      assert.equal(condition(c, 'Ready'), 'True', `${member} Ready`);
      // Read from the member by Karmada's cluster-status controller.
      assert.equal(c.status?.kubernetesVersion, 'v1.35.4');
      await sb
        .kubeConfig('hub')
        .makeApiClient(CoreV1Api)
        .readNamespace({ name: `karmada-es-${member}` });
    }
  });

  it(
    'places a Deployment with a PropagationPolicy in member1 only, through Karmada’s scheduler, binding and execution controllers',
    STEP,
    async () => {
      await createAll(sb, 'hub', ns, await loadFixture('seed-karmada/nginx-deployment-propagation.yaml'));
      const binding = await eventually('a ResourceBinding scheduled to member1', async () => {
        const b = (await custom().getNamespacedCustomObject({
          ...BINDING_API,
          namespace: ns,
          name: 'nginx-deployment',
        })) as Conditioned;
        assert.deepEqual(b.spec?.clusters, [{ name: 'member1', replicas: 2 }]);
        return b;
      });
      // Without karmada-webhook's label the binding controller mistakes other bindings' Works for orphans.
      assert.ok(
        binding.metadata?.labels?.['resourcebinding.karmada.io/permanent-id'],
        'labelled by karmada-webhook',
      );
      const works = (await custom().listNamespacedCustomObject({
        ...WORK_API,
        namespace: 'karmada-es-member1',
      })) as {
        items: Conditioned[];
      };
      assert.ok(
        works.items.some((w) => w.metadata?.labels?.['resourcebinding.karmada.io/permanent-id']),
        'a Work in member1’s execution space',
      );
      const apps = (c: 'hub' | 'member1' | 'member2') => sb.kubeConfig(c).makeApiClient(AppsV1Api);
      await eventually(
        'nginx Running in member1, its status back on the hub’s template',
        async () => {
          const inMember = await apps('member1').readNamespacedDeployment({ name: 'nginx', namespace: ns });
          assert.equal(inMember.status?.readyReplicas, 2, 'member1 runs 2 ready replicas');
          const template: V1Deployment = await apps('hub').readNamespacedDeployment({
            name: 'nginx',
            namespace: ns,
          });
          assert.equal(template.status?.readyReplicas, 2, 'bindingStatus aggregated it onto the hub');
        },
        { timeoutMs: 120_000 },
      );
      await assert.rejects(
        apps('member2').readNamespacedDeployment({ name: 'nginx', namespace: ns }),
        (err: { code?: number }) => err.code === 404,
        'member2 has no nginx',
      );
    },
  );

  it(
    'restarts karmada-controller-manager with Karmada’s MultiClusterService gate on, and off again',
    STEP,
    async () => {
      const mcsControllers = ['multiclusterservice', 'endpointsliceCollect', 'endpointsliceDispatch'];
      // The log of the newest start: the file keeps every start's lines, each opening with the version.
      const lastStart = async () => {
        const text = await readFile(path.join(sb.layout.logsDir, 'karmada-controller-manager.log'), 'utf8');
        return text.slice(text.lastIndexOf('karmada-controller-manager version'));
      };
      try {
        await sb.setKarmadaMultiClusterService(true);
        assert.equal((await Sandbox.attach(sb.layout.dir)).karmada?.multiClusterService, true, 'recorded');
        await eventually('the three controllers started', async () => {
          const log = await lastStart();
          for (const c of mcsControllers) assert.match(log, new RegExp(`Started "${c}"`));
        });
      } finally {
        await sb.setKarmadaMultiClusterService(false);
      }
      assert.equal((await Sandbox.attach(sb.layout.dir)).karmada?.multiClusterService, false);
      await eventually('the three controllers disabled', async () => {
        const log = await lastStart();
        for (const c of mcsControllers) assert.match(log, new RegExp(`"${c}" is disabled`));
      });
      await waitClustersReady(sb, MEMBERS, 60_000);
    },
  );

  it('goes down leaving no process and no port behind, and comes back up', STEP, async () => {
    const { dir, basePort } = sb.layout;
    const shape = sb.shape;
    await Sandbox.down({ dir, log: () => {} });
    assert.deepEqual(await findSandboxProcesses(dir), [], 'no process of the sandbox runs');
    for (const id of allComponents(shape)) {
      for (const port of portsOf(sb.layout, id)) {
        assert.ok(await portIsFree(port), `port ${port} of ${componentName(id)} is free`);
      }
    }
    const again = await Sandbox.up({ dir, basePort, ...shape, log: () => {} });
    assert.ok(await again.healthy(), 'the sandbox is back for the next suites');
  });
});
