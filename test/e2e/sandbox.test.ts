/**
 * The sandbox is real: the seed's nginx Deployment gets Running pods with IPs from the
 * member's pod range, and the real EndpointSlice controller writes their slice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AppsV1Api, CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { MEMBERS } from '../sandbox/layout.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  ipInCidr,
  kubectl,
  loadFixture,
  uniqueName,
  useSandbox,
} from '../sandbox/testing.ts';

describe('the sandbox of real clusters', () => {
  let sb: Sandbox;
  const ns = uniqueName('sandbox');
  let cleanup: () => Promise<void> = async () => {};

  before(async () => {
    sb = await useSandbox();
    cleanup = await createNamespace(sb, ns);
  });
  after(() => cleanup());

  for (const member of MEMBERS) {
    it(`runs the seed's nginx in ${member} with pod IPs from its range and a controller-made EndpointSlice`, async () => {
      const deployment = await loadFixture('seed/nginx-deployment.yaml');
      const [service] = (await loadFixture('seed/nginx-service-mcs.yaml')).filter(
        (o) => o.kind === 'Service',
      );
      assert.ok(service, 'the seed fixture has a Service');
      await createAll(sb, member, ns, [...deployment, service]);

      const podCIDR = sb.layout.clusters[member].podCIDR ?? '';
      const core = sb.kubeConfig(member).makeApiClient(CoreV1Api);
      const pods = await eventually(`2 nginx pods Running in ${member}`, async () => {
        const list = await core.listNamespacedPod({ namespace: ns, labelSelector: 'app=nginx' });
        const running = list.items.filter((p) => p.status?.phase === 'Running' && p.status.podIP);
        assert.equal(
          running.length,
          2,
          `pods: ${list.items.map((p) => `${p.metadata?.name}=${p.status?.phase}`)}`,
        );
        return running;
      });
      for (const pod of pods) {
        const ip = pod.status?.podIP ?? '';
        assert.ok(ipInCidr(ip, podCIDR), `pod ${pod.metadata?.name} has IP ${ip}, outside ${podCIDR}`);
        assert.equal(pod.spec?.nodeName, sb.layout.clusters[member].nodeName, 'scheduled onto the kwok node');
      }

      const discovery = sb.kubeConfig(member).makeApiClient(DiscoveryV1Api);
      await eventually(`an EndpointSlice for nginx with 2 ready endpoints in ${member}`, async () => {
        const slices = await discovery.listNamespacedEndpointSlice({
          namespace: ns,
          labelSelector: 'kubernetes.io/service-name=nginx',
        });
        assert.equal(slices.items.length, 1, 'one slice');
        const slice = slices.items[0];
        assert.equal(
          slice?.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'],
          'endpointslice-controller.k8s.io',
          'written by the real EndpointSlice controller',
        );
        const ready = (slice?.endpoints ?? []).filter((e) => e.conditions?.ready);
        assert.deepEqual(
          ready.flatMap((e) => e.addresses).sort(),
          pods.map((p) => p.status?.podIP ?? '').sort(),
          'the ready endpoints are the pods',
        );
        assert.equal(slice?.ports?.[0]?.port, 80);
      });
    });
  }

  it('gives the hub no nodes, as it is a control plane', async () => {
    const nodes = await sb.kubeConfig('hub').makeApiClient(CoreV1Api).listNode();
    assert.equal(nodes.items.length, 0);
  });

  it('lets kubectl reach every cluster through the one kubeconfig', async () => {
    const out = await kubectl(sb, ['--context', 'member1', 'get', 'nodes', '-o', 'name']);
    assert.equal(out.trim(), `node/${sb.layout.clusters.member1.nodeName}`);
    const version = await kubectl(sb, ['--context', 'hub', 'version', '-o', 'json']);
    assert.match(JSON.parse(version).serverVersion.gitVersion, /^v1\.\d+\.\d+/);
  });

  it('stops one apiserver and starts it again with its data intact', async () => {
    const apps = () => sb.kubeConfig('member1').makeApiClient(AppsV1Api);
    await sb.stopApiserver('member1');
    await assert.rejects(
      apps().readNamespacedDeployment({ name: 'nginx', namespace: ns }),
      'member1 is down',
    );
    // The others keep serving meanwhile.
    await sb.kubeConfig('member2').makeApiClient(CoreV1Api).readNamespace({ name: ns });
    await sb.startApiserver('member1');
    const d = await apps().readNamespacedDeployment({ name: 'nginx', namespace: ns });
    assert.equal(d.spec?.replicas, 2);
  });
});
