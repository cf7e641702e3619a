/**
 * mcs-bridge on Karmada itself, installed the Karmada way: the install block of docs/install.md run
 * verbatim (the chart's karmada-apiserver half into the hub, its karmada-host half into
 * karmada-host, the kubeconfig Secret between them), the karmada-host Deployment's containers
 * run as local processes with the flags, environment and files it renders, as the chart's
 * ServiceAccount in karmada-apiserver. Then the seed guide, verbatim: Karmada's scheduler and
 * binding controllers place nginx and curl, mcs-bridge (not Karmada, whose gate is off)
 * carries out the MultiClusterService.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdmissionregistrationV1Api,
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { reliabilityCase } from '../../reliability/case.ts';
import { BINDING_API, WORK_API } from '../../sandbox/karmada.ts';
import { freePort } from '../../sandbox/our-processes.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  kubectl,
  loadFixture,
  uniqueName,
  useSandbox,
} from '../../sandbox/testing.ts';
import { canI } from '../harness/chart.ts';
import { KarmadaInstall, NAMESPACE, RELEASE } from '../harness/karmada-install.ts';
import { conditionOf, nginxPodIps, readMcs, readyAddresses, slicesIn } from '../harness/syncer.ts';

const STEP = { timeout: 240_000 };

interface WorkObject {
  metadata?: { name?: string };
  spec?: { workload?: { manifests?: KubernetesObject[] } };
}

describe('mcs-bridge installed the Karmada way, running the seed guide verbatim', () => {
  let sb: Sandbox;
  let inst: KarmadaInstall;
  const appNs = uniqueName('kseed');
  const cleanups: (() => Promise<unknown>)[] = [];

  before(async () => {
    sb = await useSandbox();
    assert.ok(sb.karmada, 'the sandbox runs Karmada (make test-e2e starts it with --karmada)');
    assert.equal(sb.karmada.multiClusterService, false, "Karmada's own MultiClusterService gate is off");
    const dir = await mkdtemp(path.join(sb.layout.dir, 'karmada-install-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    // Karmada's namespace controller is off in the sandbox: the namespace is made in each cluster.
    cleanups.push(await createNamespace(sb, appNs));
    inst = new KarmadaInstall(sb, dir);
    cleanups.push(() => inst.teardown());
    const [port, healthPort, metricsPort] = [await freePort(sb), await freePort(sb), await freePort(sb)];
    await inst.install({
      replicas: 1,
      webhook: {
        port,
        healthPort,
        // karmada-apiserver reaches the webhook process on loopback, not through a Service.
        url: `https://127.0.0.1:${port}`,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': appNs } },
      },
      syncer: { metricsPort, clusterHealthInterval: '1s' },
      tls: { selfManaged: { keyType: 'ecdsa' } },
    });
    await inst.startPod('run1');
  });

  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('puts the API objects in karmada-apiserver and the pods in karmada-host, leaving Karmada’s CRD as it was', async () => {
    const has = async (cluster: 'hub' | 'karmada-host', kind: string, name: string, namespaced = true) =>
      kubectl(sb, [
        '--context',
        cluster,
        'get',
        kind,
        name,
        ...(namespaced ? ['-n', NAMESPACE] : []),
        '--ignore-not-found',
        '-o',
        'name',
      ]).then((out) => out.trim() !== '');
    for (const [kind, name, namespaced] of [
      ['mutatingwebhookconfiguration', RELEASE, false],
      ['validatingwebhookconfiguration', RELEASE, false],
      ['clusterrole', RELEASE, false],
      ['lease', `${RELEASE}-syncer`, true],
      ['serviceaccount', RELEASE, true],
      ['secret', `${RELEASE}-token`, true],
    ] as const) {
      assert.equal(await has('hub', kind, name, namespaced), true, `${kind} ${name} in karmada-apiserver`);
      assert.equal(
        await has('karmada-host', kind, name, namespaced),
        kind === 'serviceaccount',
        `${kind} ${name} in karmada-host`,
      );
    }
    for (const [kind, name] of [
      ['deployment', RELEASE],
      ['service', `${RELEASE}-webhook`],
    ] as const) {
      assert.equal(await has('karmada-host', kind, name), true, `${kind} ${name} in karmada-host`);
      assert.equal(await has('hub', kind, name), false, `no ${kind} ${name} in karmada-apiserver`);
    }
    const crds = (c: 'hub' | 'karmada-host') =>
      sb.kubeConfig(c).makeApiClient(ApiextensionsV1Api).listCustomResourceDefinition();
    const mcsCrd = (await crds('hub')).items.find(
      (c) => c.metadata?.name === 'multiclusterservices.networking.karmada.io',
    );
    assert.ok(mcsCrd, 'karmada-apiserver serves MultiClusterService');
    assert.equal(
      mcsCrd.metadata?.labels?.['app.kubernetes.io/name'],
      undefined,
      'not replaced by the chart’s',
    );
    assert.equal(
      mcsCrd.metadata?.annotations?.['meta.helm.sh/release-name'],
      undefined,
      'not adopted by Helm',
    );
    assert.ok(mcsCrd.metadata?.annotations?.['controller-gen.kubebuilder.io/version'], 'Karmada’s own');
    assert.ok(
      !(await crds('karmada-host')).items.some((c) => c.spec.group === 'networking.karmada.io'),
      'no CRD in karmada-host (--skip-crds)',
    );
  });

  it('gives the chart’s ServiceAccount in karmada-apiserver what the programs need and nothing more', async () => {
    reliabilityCase(
      'Security',
      'Least-privilege RBAC on a Karmada control plane',
      "kubectl auth can-i both ways for the chart's ServiceAccount in karmada-apiserver, as the kubeconfig Secret in karmada-host holds it (the identity both programs run the seed guide as); the pods' own ServiceAccount in karmada-host may do nothing",
    );
    const kubeconfig = inst.kubeconfig('run1');
    const can = (args: string) => canI(sb, kubeconfig, args.split(' '));
    const allowed = [
      'watch multiclusterservices.networking.karmada.io -A',
      'patch multiclusterservices.networking.karmada.io --subresource=status -n default',
      'list services -A',
      'create events -n default',
      'watch clusters.cluster.karmada.io',
      'get secrets/member1 -n karmada-cluster',
      `update leases/${RELEASE}-syncer -n ${NAMESPACE}`,
      `patch secrets/${RELEASE}-tls -n ${NAMESPACE}`,
      `patch validatingwebhookconfigurations/${RELEASE}`,
      // karmadaCoexistence.readWorks (on by default): Karmada's Works, to stand aside for them.
      'watch works.work.karmada.io -A',
    ];
    const refused = [
      'list secrets -n karmada-cluster',
      `get secrets/${RELEASE}-token -n ${NAMESPACE}`,
      'get secrets -n karmada-system',
      'update clusters.cluster.karmada.io',
      'create works.work.karmada.io -n karmada-es-member1',
      // Only with karmadaCoexistence.takeOver (off by default).
      'delete works.work.karmada.io -n karmada-es-member1',
      'create resourcebindings.work.karmada.io -n default',
      'create propagationpolicies.policy.karmada.io -n default',
      'patch validatingwebhookconfigurations/validating-config',
      'delete customresourcedefinitions/multiclusterservices.networking.karmada.io',
      'delete multiclusterservices.networking.karmada.io -n default',
      'create services -n default',
    ];
    for (const a of allowed) assert.equal(await can(a), true, `may ${a}`);
    for (const r of refused) assert.equal(await can(r), false, `may not ${r}`);
    // The pods' own ServiceAccount in karmada-host gets no token and no rights there.
    const asPod = `system:serviceaccount:${NAMESPACE}:${RELEASE}`;
    for (const verb of ['get secrets', 'list pods', 'get leases']) {
      const args = [...verb.split(' '), '-n', NAMESPACE, '--context', 'karmada-host', '--as', asPod];
      assert.equal(
        await canI(sb, sb.layout.kubeconfig, args),
        false,
        `the pods' ServiceAccount may ${verb} in karmada-host`,
      );
    }
    const d = await inst.deployment();
    assert.equal(d.spec?.template.spec?.automountServiceAccountToken, false);
  });

  it(
    'carries out the seed guide: Karmada places nginx and curl, mcs-bridge writes member2’s copies',
    STEP,
    async () => {
      for (const f of ['nginx-deployment-propagation', 'curl-deployment-propagation', 'nginx-service-mcs']) {
        await createAll(sb, 'hub', appNs, await loadFixture(`seed-karmada/${f}.yaml`));
      }
      const apps = (c: 'member1' | 'member2') => sb.kubeConfig(c).makeApiClient(AppsV1Api);
      await eventually(
        'nginx ready in member1, curl ready in member2 (placed by Karmada)',
        async () => {
          assert.equal(
            (await apps('member1').readNamespacedDeployment({ name: 'nginx', namespace: appNs })).status
              ?.readyReplicas,
            2,
          );
          assert.equal(
            (await apps('member2').readNamespacedDeployment({ name: 'curl', namespace: appNs })).status
              ?.readyReplicas,
            1,
          );
        },
        { timeoutMs: 120_000 },
      );
      const podIps = await nginxPodIps(sb, 'member1', appNs);
      assert.equal(podIps.length, 2);
      await eventually(
        "member2's slices hold member1's nginx pod IPs, written by mcs-bridge",
        async () => {
          const { ours, others } = await slicesIn(sb, 'member2', appNs);
          assert.deepEqual(readyAddresses(ours), podIps);
          for (const s of ours) assert.match(s.metadata?.name ?? '', /^member1-/);
          // Besides the copies, only member2's own EndpointSlice controller's slice for its
          // Service copy, empty: no pod of member2 matches. Nothing from Karmada's dispatch.
          for (const s of others) {
            const by = s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'];
            assert.equal(by, 'endpointslice-controller.k8s.io', `slice ${s.metadata?.name} managed by ${by}`);
            assert.deepEqual(s.endpoints ?? [], [], `slice ${s.metadata?.name} is empty`);
          }
          const mcs = await readMcs(sb, appNs);
          assert.match(conditionOf(mcs, 'ServiceApplied'), /^True/);
          assert.match(conditionOf(mcs, 'EndpointSliceDispatched'), /^True/);
        },
        { timeoutMs: 60_000 },
      );
      const service = await sb
        .kubeConfig('member2')
        .makeApiClient(CoreV1Api)
        .readNamespacedService({ name: 'nginx', namespace: appNs });
      assert.equal(
        service.metadata?.labels?.['app.kubernetes.io/managed-by'],
        'mcs-bridge',
        "member2's Service is mcs-bridge's copy",
      );

      // Not Karmada: no Work holds an EndpointSlice or the Service, and the Service has no binding.
      const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
      for (const member of ['member1', 'member2']) {
        const works = (await custom.listNamespacedCustomObject({
          ...WORK_API,
          namespace: `karmada-es-${member}`,
        })) as {
          items: WorkObject[];
        };
        const carried = works.items.flatMap((w) =>
          (w.spec?.workload?.manifests ?? []).map((m) => `${m.kind}/${m.metadata?.name}`),
        );
        assert.ok(
          !carried.some((k) => k.startsWith('EndpointSlice/')),
          `no Work of ${member} holds an EndpointSlice: ${carried}`,
        );
        assert.ok(!carried.includes('Service/nginx'), `no Work of ${member} holds the Service: ${carried}`);
      }
      const bindings = (await custom.listNamespacedCustomObject({ ...BINDING_API, namespace: appNs })) as {
        items: { metadata?: { name?: string } }[];
      };
      assert.deepEqual(
        bindings.items.map((b) => b.metadata?.name).sort(),
        ['curl-deployment', 'nginx-deployment'],
        'Karmada bound the two Deployments and nothing else',
      );

      // Both webhook chains admitted the MCS: Karmada's entries are still registered.
      const validating = await sb
        .kubeConfig('hub')
        .makeApiClient(AdmissionregistrationV1Api)
        .readValidatingWebhookConfiguration({ name: 'validating-config' });
      assert.ok(validating.webhooks?.some((w) => w.name === 'multiclusterservice.karmada.io'));
      const mcs = await readMcs(sb, appNs);
      assert.match(
        mcs?.metadata?.labels?.['multiclusterservice.karmada.io/permanent-id'] ?? '',
        /^[0-9a-f-]{36}$/,
      );

      for (const p of [inst.programs.webhook, inst.programs.syncer]) {
        assert.doesNotMatch(
          (await p?.tail(1000)) ?? '',
          /forbidden|HTTP 403|\(403\)/i,
          `${p?.name} was never refused`,
        );
      }
    },
  );

  it('refuses a MultiClusterService with two types, naming the field', async () => {
    const bad = [
      'apiVersion: networking.karmada.io/v1alpha1',
      'kind: MultiClusterService',
      `metadata: {name: bad, namespace: ${appNs}}`,
      'spec: {types: [CrossCluster, LoadBalancer]}',
    ].join('\n');
    const refused = await kubectl(
      sb,
      ['--context', 'karmada-apiserver', 'apply', '--dry-run=server', '-f', '-'],
      bad,
    ).then(
      () => 'admitted',
      (err: Error) => err.message,
    );
    assert.match(refused, /spec\.types/);
  });
});
