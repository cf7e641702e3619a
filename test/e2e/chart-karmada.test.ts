/**
 * The chart with `members.source=karmada` on a hub that serves Karmada's Cluster API: the
 * members are Push-mode Cluster objects whose Secrets hold the token of member-rbac.yaml's
 * ServiceAccount. The webhook and syncer run as local processes, as the chart's
 * ServiceAccount, which may read those Secrets by name and no other; the seed scenario runs
 * through them. The Cluster objects exist only while this suite runs.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { MEMBERS } from '../sandbox/layout.ts';
import { REPO_ROOT, type Sandbox } from '../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  loadFixture,
  uniqueName,
  useSandbox,
} from '../sandbox/testing.ts';
import { canI } from './harness/chart.ts';
import { LocalRelease } from './harness/chart-release.ts';

const STEP = { timeout: 180_000 };
const CLUSTER = { group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters' };
const MCS = { group: 'networking.karmada.io', version: 'v1alpha1', plural: 'multiclusterservices' };

describe('the Helm chart with Karmada Cluster members', () => {
  let sb: Sandbox;
  let rel: LocalRelease;
  const name = uniqueName('chartk').slice(2);
  const ns = `t-${name}`;
  const appNs = `${ns}-app`;
  const clustersNs = `${ns}-clusters`; // where karmadactl join would put the Clusters' Secrets
  const cleanups: (() => Promise<unknown>)[] = [];
  const custom = () => sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);

  before(async () => {
    sb = await useSandbox();
    const dir = await mkdtemp(path.join(sb.layout.dir, `${name}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    cleanups.push(await createNamespace(sb, appNs));
    cleanups.push(await createNamespace(sb, ns, ['hub']));
    cleanups.push(await createNamespace(sb, clustersNs, ['hub']));
    // Karmada's Cluster API (the fixture the syncer's suites use); removed after only if made here.
    const [crd] = loadAllYaml(
      await readFile(path.join(REPO_ROOT, 'test/fixtures/karmada/cluster-crd.yaml'), 'utf8'),
    );
    const objects = KubernetesObjectApi.makeApiClient(sb.kubeConfig('hub'));
    const made = await objects.create(crd).then(
      () => true,
      (err: { code?: number }) => {
        if (err.code !== 409) throw err;
        return false;
      },
    );
    if (made) cleanups.push(() => objects.delete(crd));
    await eventually('the Cluster API is served', () => custom().listClusterCustomObject({ ...CLUSTER }));
    rel = new LocalRelease(sb, name, ns, appNs, dir);
    cleanups.push(await rel.prepare());
    for (const member of MEMBERS) {
      await sb
        .kubeConfig('hub')
        .makeApiClient(CoreV1Api)
        .createNamespacedSecret({
          namespace: clustersNs,
          body: {
            metadata: { name: member },
            stringData: { token: rel.memberTokens.get(member) ?? '', caBundle: sb.admin.caPem },
          },
        });
      await custom().createClusterCustomObject({
        ...CLUSTER,
        body: {
          apiVersion: 'cluster.karmada.io/v1alpha1',
          kind: 'Cluster',
          metadata: { name: member },
          spec: {
            apiEndpoint: sb.server(member),
            secretRef: { namespace: clustersNs, name: member },
            syncMode: 'Push',
          },
        },
      });
      // Ready, as Karmada's cluster controller would say (status is a subresource).
      const ready = { type: 'Ready', status: 'True', reason: 'ClusterReady', message: 'cluster is healthy' };
      await custom().patchClusterCustomObjectStatus(
        {
          ...CLUSTER,
          name: member,
          body: { status: { conditions: [{ ...ready, lastTransitionTime: new Date().toISOString() }] } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
      cleanups.push(() => custom().deleteClusterCustomObject({ ...CLUSTER, name: member }));
    }
  });

  after(async () => {
    await rel?.teardown().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it(
    'installs and runs as the chart ServiceAccount, which reads the named cluster Secrets and no other',
    STEP,
    async () => {
      const karmada = { secretNamespace: clustersNs, secretNames: [...MEMBERS] };
      await rel.helm('install', rel.values({ members: { source: 'karmada', karmada } }));
      await rel.startPod('run1');
      const can = (verb: string) => canI(sb, rel.hubKubeconfig, verb.split(' '));
      assert.equal(await can('watch clusters.cluster.karmada.io'), true);
      assert.equal(await can(`get secrets/member1 -n ${clustersNs}`), true);
      assert.equal(await can(`get secrets/other -n ${clustersNs}`), false);
      assert.equal(await can(`list secrets -n ${clustersNs}`), false);
      assert.equal(await can(`get secrets/members -n ${ns}`), false);
      assert.equal(await can('update clusters.cluster.karmada.io'), false);
    },
  );

  it('carries the seed scenario to Karmada Cluster members', STEP, async () => {
    await createAll(sb, 'member1', appNs, await loadFixture('seed/nginx-deployment.yaml'));
    await createAll(sb, 'hub', appNs, await loadFixture('seed/nginx-service-mcs.yaml'));
    await eventually('member2 has the slices of member1 with 2 ready endpoints', async () => {
      const slices = await sb
        .kubeConfig('member2')
        .makeApiClient(DiscoveryV1Api)
        .listNamespacedEndpointSlice({
          namespace: appNs,
          labelSelector:
            'endpointslice.kubernetes.io/managed-by=syncer.mcs-bridge.io,kubernetes.io/service-name=nginx',
        });
      for (const s of slices.items) assert.match(s.metadata?.name ?? '', /^member1-/);
      const ready = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
      assert.equal(ready.length, 2);
    });
    await custom().deleteNamespacedCustomObject({ ...MCS, namespace: appNs, name: 'nginx' });
    await eventually('the syncer withdrew and released the MCS', () =>
      assert.rejects(
        custom().getNamespacedCustomObject({ ...MCS, namespace: appNs, name: 'nginx' }),
        /404|not found/i,
      ),
    );
    for (const p of [rel.programs.webhook, rel.programs.syncer]) {
      assert.doesNotMatch(
        (await p?.tail(1000)) ?? '',
        /forbidden|HTTP 403|\(403\)/i,
        `${p?.name} was never refused`,
      );
    }
  });
});
