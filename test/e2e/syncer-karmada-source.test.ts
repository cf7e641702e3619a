/**
 * --cluster-source=karmada: the member clusters are Karmada Cluster objects on the hub,
 * reached with the token and CA bundle of their Secrets; readiness is their Ready
 * condition. The syncer picks this source by itself when the hub serves the Cluster API.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { reliabilityCase } from '../reliability/case.ts';
import { freePort } from '../sandbox/our-processes.ts';
import { REPO_ROOT, type Sandbox } from '../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  loadFixture,
  uniqueName,
  useSandbox,
} from '../sandbox/testing.ts';
import {
  conditionOf,
  createSeedService,
  ensureCrd,
  putMcs,
  readMcs,
  readyAddresses,
  type SyncerUnderTest,
  scaleNginx,
  slicesIn,
  startSyncer,
} from './harness/syncer.ts';

const CLUSTER = { group: 'cluster.karmada.io', version: 'v1alpha1', plural: 'clusters' };

describe('the syncer with Karmada Cluster objects as its member clusters', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  const ns = uniqueName('ksource');
  const secretsNs = uniqueName('karmada-cluster');
  const cleanups: Array<() => Promise<void>> = [];
  const clusters = () => sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);

  async function setReady(name: string, ready: boolean): Promise<void> {
    const condition = {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      reason: ready ? 'ClusterReady' : 'ClusterNotReachable',
      message: 'set by the test',
      lastTransitionTime: new Date().toISOString(),
    };
    await clusters().patchClusterCustomObjectStatus(
      { ...CLUSTER, name, body: { status: { conditions: [condition] } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  async function createCluster(name: string, apiEndpoint: string, secretName: string): Promise<void> {
    await clusters().createClusterCustomObject({
      ...CLUSTER,
      body: {
        apiVersion: 'cluster.karmada.io/v1alpha1',
        kind: 'Cluster',
        metadata: { name },
        spec: { apiEndpoint, syncMode: 'Push', secretRef: { namespace: secretsNs, name: secretName } },
      },
    });
    cleanups.push(() =>
      clusters()
        .deleteClusterCustomObject({ ...CLUSTER, name })
        .then(
          () => undefined,
          () => undefined,
        ),
    );
    await setReady(name, true);
  }

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    const [crd] = loadAllYaml(
      await readFile(path.join(REPO_ROOT, 'test/fixtures/karmada/cluster-crd.yaml'), 'utf8'),
    );
    await KubernetesObjectApi.makeApiClient(sb.kubeConfig('hub'))
      .create(crd)
      .catch((err: { code?: number }) => {
        if (err.code !== 409) throw err;
      });
    await eventually('the Cluster API is served', () =>
      clusters().listClusterCustomObject({ ...CLUSTER, limit: 1 }),
    );
    cleanups.push(await createNamespace(sb, secretsNs, ['hub']));
    const core = sb.kubeConfig('hub').makeApiClient(CoreV1Api);
    for (const m of ['member1', 'member2'] as const) {
      await core.createNamespacedSecret({
        namespace: secretsNs,
        body: { metadata: { name: m }, stringData: { token: sb.admin.token, caBundle: sb.admin.caPem } },
      });
    }
    // member1 with a full URL, member2 as Karmada also allows: host:port without a scheme.
    await createCluster('member1', sb.server('member1'), 'member1');
    await createCluster('member2', sb.server('member2').replace('https://', ''), 'member2');
    cleanups.push(await createNamespace(sb, ns));
    await createAll(sb, 'member1', ns, await loadFixture('seed/nginx-deployment.yaml'));
    syncer = await startSyncer(sb, 'syncer-karmada-source', [], { members: 'auto' });
    await createSeedService(sb, ns);
  });
  after(async () => {
    await Promise.all(cleanups.map((c) => c()));
    await syncer?.program.stop();
  });

  it('finds the Cluster API by itself and carries out the seed scenario through it', async () => {
    await putMcs(sb, ns, ['member1'], ['member2']);
    await eventually('member2 holds the copies of member1', async () => {
      assert.equal(readyAddresses((await slicesIn(sb, 'member2', ns)).ours).length, 2);
    });
    assert.match(await syncer.program.tail(200), /"source":"karmada"/);
  });

  it('keeps the copies of a provider whose Ready condition turns False, and says so, until it is Ready again', async () => {
    const before = (await slicesIn(sb, 'member2', ns)).ours.map((s) => s.metadata?.resourceVersion);
    await setReady('member1', false);
    await eventually('the MCS reports member1 not ready', async () => {
      assert.match(
        conditionOf(await readMcs(sb, ns), 'EndpointSliceDispatched'),
        /^False\/ClusterNotReady: .*member1/,
      );
    });
    assert.deepEqual(
      (await slicesIn(sb, 'member2', ns)).ours.map((s) => s.metadata?.resourceVersion),
      before,
      'the copies were neither deleted nor rewritten',
    );
    await setReady('member1', true);
    await eventually('dispatched again', async () => {
      assert.match(conditionOf(await readMcs(sb, ns), 'EndpointSliceDispatched'), /^True\//);
    });
  });

  it('treats a Cluster whose Secret is missing as not ready, and keeps serving the others', async () => {
    reliabilityCase('Bad input', 'A Karmada Cluster with a bad secretRef');
    await createCluster('member9', sb.server('member2'), 'no-such-secret');
    await putMcs(sb, ns, ['member1'], ['member2', 'member9']);
    await eventually('the MCS names member9 as not ready, because of its Secret', async () => {
      const msg = conditionOf(await readMcs(sb, ns), 'ServiceApplied');
      assert.match(msg, /^False\/ClusterNotReady: .*member9/);
    });
    assert.equal(
      readyAddresses((await slicesIn(sb, 'member2', ns)).ours).length,
      2,
      'member2 keeps its copies',
    );
    assert.match(await syncer.program.tail(400), /member9: cannot read its Secret .*no-such-secret/);
  });

  it('treats a Cluster whose endpoint does not answer as not ready, though Karmada says Ready, and keeps serving the others', async () => {
    reliabilityCase('Bad input', 'A Karmada Cluster with an unreachable endpoint');
    // Nothing listens on a port just found free; the Secret is member2's, valid.
    await createCluster('member8', `https://127.0.0.1:${await freePort(sb)}`, 'member2');
    await putMcs(sb, ns, ['member1'], ['member2', 'member8']);
    await eventually('the MCS names member8 as not ready', async () => {
      assert.match(
        conditionOf(await readMcs(sb, ns), 'ServiceApplied'),
        /^False\/ClusterNotReady: .*member8/,
      );
    });
    await scaleNginx(sb, 'member1', ns, 3);
    await eventually('a change in member1 still reaches member2', async () => {
      assert.equal(readyAddresses((await slicesIn(sb, 'member2', ns)).ours).length, 3);
    });
    assert.ok(await syncer.program.alive());
    assert.match(
      await syncer.program.tail(400),
      /member cluster member8 is (still )?not ready: its API server did not answer \/readyz/,
    );
  });
});
