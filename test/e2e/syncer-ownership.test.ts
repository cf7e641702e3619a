/**
 * Ownership: the syncer never changes or deletes what it does not own. A user's Service
 * and EndpointSlice of the same name in the consumer stay byte-for-byte as they were
 * through dispatch, scaling, a provider outage and the MCS's deletion; a slice another
 * dispatcher (Karmada's) wrote is never collected.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, DiscoveryV1Api, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
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
  deleteMcs,
  ensureCrd,
  nginxPodIps,
  putMcs,
  readMcs,
  readyAddresses,
  type SyncerUnderTest,
  scaleNginx,
  slicesIn,
  startSyncer,
} from './harness/syncer.ts';

describe('the syncer leaving alone what is not its own', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  const ns = uniqueName('owner');
  let cleanup = async () => {};
  let userService: V1Service;
  let userSlice: V1EndpointSlice;
  let karmadaSlice: V1EndpointSlice;

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    await createAll(sb, 'member1', ns, await loadFixture('seed/nginx-deployment.yaml'));
    // The user's own Service and slice for nginx in the consumer, before any MCS.
    userService = await sb
      .kubeConfig('member2')
      .makeApiClient(CoreV1Api)
      .createNamespacedService({
        namespace: ns,
        body: {
          metadata: { name: 'nginx', labels: { owner: 'user' }, annotations: { note: 'hands off' } },
          spec: { ports: [{ name: 'web', port: 8080, targetPort: 80 }], selector: { app: 'user-nginx' } },
        },
      });
    userSlice = await sb
      .kubeConfig('member2')
      .makeApiClient(DiscoveryV1Api)
      .createNamespacedEndpointSlice({
        namespace: ns,
        body: {
          metadata: {
            name: 'user-nginx',
            labels: {
              'kubernetes.io/service-name': 'nginx',
              'endpointslice.kubernetes.io/managed-by': 'user.example.com',
            },
          },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['10.20.7.7'], conditions: { ready: true } }],
          ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
        },
      });
    // A slice Karmada's own dispatcher put into member1: a copy, never a source.
    karmadaSlice = await sb
      .kubeConfig('member1')
      .makeApiClient(DiscoveryV1Api)
      .createNamespacedEndpointSlice({
        namespace: ns,
        body: {
          metadata: {
            name: 'member3-nginx-abcde',
            labels: {
              'kubernetes.io/service-name': 'nginx',
              'endpointslice.kubernetes.io/managed-by': 'endpointslice-dispatch-controller.karmada.io',
            },
          },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['10.30.1.1'], conditions: { ready: true } }],
          ports: [{ port: 80, protocol: 'TCP', name: '' }],
        },
      });
    syncer = await startSyncer(sb, 'syncer-ownership');
    await createSeedService(sb, ns);
    await putMcs(sb, ns, ['member1'], ['member2']);
  });
  after(async () => {
    await cleanup();
    await syncer?.program.stop();
  });

  /** The user's objects exactly as created: same resourceVersion, so not written at all. */
  async function assertUntouched({ member1Up = true } = {}): Promise<void> {
    const svc = await sb
      .kubeConfig('member2')
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'nginx', namespace: ns });
    assert.equal(
      svc.metadata?.resourceVersion,
      userService.metadata?.resourceVersion,
      'the user Service was written',
    );
    assert.deepEqual(svc.metadata?.labels, { owner: 'user' });
    const slice = await sb
      .kubeConfig('member2')
      .makeApiClient(DiscoveryV1Api)
      .readNamespacedEndpointSlice({ name: 'user-nginx', namespace: ns });
    assert.equal(
      slice.metadata?.resourceVersion,
      userSlice.metadata?.resourceVersion,
      'the user slice was written',
    );
    if (!member1Up) return;
    const k = await sb
      .kubeConfig('member1')
      .makeApiClient(DiscoveryV1Api)
      .readNamespacedEndpointSlice({ name: 'member3-nginx-abcde', namespace: ns });
    assert.equal(
      k.metadata?.resourceVersion,
      karmadaSlice.metadata?.resourceVersion,
      "Karmada's slice was written",
    );
  }

  it("dispatches member1's endpoints beside the user's slice, attached to the user's Service", async () => {
    const ips = await eventually('nginx ready in member1', async () => {
      const found = await nginxPodIps(sb, 'member1', ns);
      assert.equal(found.length, 2);
      return found;
    });
    await eventually('member2 holds the copies of member1 only', async () => {
      const { ours, others } = await slicesIn(sb, 'member2', ns);
      assert.deepEqual(readyAddresses(ours), ips);
      assert.ok(
        ours.every((s) => s.metadata?.name?.startsWith('member1-')),
        "no copy of Karmada's slice",
      );
      // Besides the user's slice, member2's EndpointSlice controller keeps one for the
      // user's selector: both are theirs, not ours.
      assert.ok(others.some((s) => s.metadata?.name === 'user-nginx'));
    });
    await assertUntouched();
  });

  it("says in the status that the consumer's Service is not ours", async () => {
    await eventually('ServiceApplied False with ServiceConflict naming member2', async () => {
      assert.match(
        conditionOf(await readMcs(sb, ns), 'ServiceApplied'),
        /^False\/ServiceConflict: .*member2/,
      );
    });
  });

  it('leaves them untouched while nginx scales and member1 goes away and returns', async () => {
    reliabilityCase('Faults', "User's objects through a provider outage");
    await scaleNginx(sb, 'member1', ns, 3);
    await eventually('3 endpoints in member2', async () => {
      assert.equal(readyAddresses((await slicesIn(sb, 'member2', ns)).ours).length, 3);
    });
    await sb.stopApiserver('member1');
    try {
      await new Promise((r) => setTimeout(r, 3_000));
      await assertUntouched({ member1Up: false });
    } finally {
      await sb.startApiserver('member1');
    }
    await eventually('still 3 endpoints after member1 returns', async () => {
      assert.equal(readyAddresses((await slicesIn(sb, 'member2', ns)).ours).length, 3);
    });
    await assertUntouched();
  });

  it('withdraws only its own copies when the MCS is deleted', async () => {
    await deleteMcs(sb, ns);
    await eventually('our copies gone from member2', async () => {
      assert.deepEqual((await slicesIn(sb, 'member2', ns)).ours, []);
      assert.equal(await readMcs(sb, ns), undefined);
    });
    await assertUntouched();
    const ourService = await sb
      .kubeConfig('member1')
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'nginx', namespace: ns })
      .catch(() => undefined);
    assert.equal(ourService, undefined, "our Service copy in member1 is gone, the user's in member2 stays");
  });
});
