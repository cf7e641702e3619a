/**
 * Provider endpoints inside a consumer's own ranges: member3 (a bare API server) gets a Node
 * whose pod CIDR is member1's, 10.10.0.0/16, so member1's nginx pod IPs (10.10.1.x, from kwok)
 * would be claimed by member3's own pod network; a second Service's endpoint lies inside
 * member3's Service CIDR (its ServiceCIDR object). The syncer says so on the MCS, in an Event
 * and in its metrics, and dispatches the endpoints all the same.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
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
  ensureCrd,
  exportWrittenServices,
  metricOf,
  nginxPodIps,
  putMcs,
  readMcs,
  readyAddresses,
  type SyncerUnderTest,
  slicesIn,
  startSyncer,
  writeSourceSlice,
} from './harness/syncer.ts';

const TYPE = 'EndpointsOutsideConsumerCIDRs';
const POD_SERIES = 'mcs_bridge_syncer_cidr_overlaps{cluster="member3",range="pod"}';
const SERVICE_SERIES = 'mcs_bridge_syncer_cidr_overlaps{cluster="member3",range="service"}';

describe("the syncer's check of provider endpoints against the consumers' own CIDRs", () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  const ns = uniqueName('cidr');
  const node = `${ns}-node`;
  let cleanup = async () => {};
  const member3 = () => sb.kubeConfig('member3').makeApiClient(CoreV1Api);

  before(async () => {
    sb = await useSandbox();
    assert.ok(sb.extraMembers.includes('member3'), 'the sandbox runs member3 (make test-e2e starts it)');
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    await createAll(sb, 'member1', ns, await loadFixture('seed/nginx-deployment.yaml'));
    syncer = await startSyncer(sb, 'syncer-cidr-overlap', [], {
      contexts: ['member1', 'member2', 'member3'],
    });
    const [service] = await loadFixture('seed/nginx-service-mcs.yaml');
    await createAll(sb, 'hub', ns, service ? [service] : []);
    await putMcs(sb, ns, ['member1'], ['member2', 'member3']);
  });
  after(async () => {
    await member3()
      .deleteNode({ name: node })
      .catch(() => undefined);
    await cleanup();
    await syncer?.program.stop();
  });

  it('says True, naming what it checked, while no endpoint falls inside a consumer range', async () => {
    await eventually('both nginx pods dispatched, and the check True', async () => {
      assert.equal((await nginxPodIps(sb, 'member1', ns)).length, 2);
      const condition = conditionOf(await readMcs(sb, ns), TYPE);
      assert.equal(
        condition,
        `True/NoCIDROverlap: no provider endpoint lies inside a consumer's own pod or Service CIDRs; checked member2 (no pod CIDRs, 1 Service CIDR), member3 (no pod CIDRs, 1 Service CIDR)`,
      );
    });
  });

  it("says False, naming member1's IPs and member3's pod CIDR, warns, counts, and still dispatches", async () => {
    reliabilityCase('Bad input', "Provider endpoints inside a consumer's own pod or Service CIDR");
    const ips = await nginxPodIps(sb, 'member1', ns);
    await member3().createNode({
      body: { metadata: { name: node }, spec: { podCIDR: '10.10.0.0/16', podCIDRs: ['10.10.0.0/16'] } },
    });
    await eventually('the condition says False', async () => {
      const condition = conditionOf(await readMcs(sb, ns), TYPE);
      assert.equal(
        condition,
        `False/CIDROverlap: endpoints ${ips.join(', ')} from member1 are inside member3's pod CIDR 10.10.0.0/16 (node ${node}): member3 routes them to itself, not to member1`,
      );
    });
    const mcs = await readMcs(sb, ns);
    for (const t of ['ServiceApplied', 'EndpointSliceDispatched'])
      assert.match(conditionOf(mcs, t), /^True\//, `${t} stays True: everything was dispatched`);
    assert.deepEqual(
      readyAddresses((await slicesIn(sb, 'member3', ns)).ours),
      ips,
      "member3 holds member1's IPs",
    );
    assert.deepEqual(readyAddresses((await slicesIn(sb, 'member2', ns)).ours), ips, 'so does member2');
    await eventually('a Warning event CIDROverlap on the MCS', async () => {
      const events = await sb.kubeConfig('hub').makeApiClient(CoreV1Api).listNamespacedEvent({
        namespace: ns,
        fieldSelector: 'involvedObject.name=nginx,reason=CIDROverlap',
      });
      assert.equal(events.items.length, 1, 'one event, not one per reconcile');
      assert.equal(events.items[0]?.type, 'Warning');
      assert.match(
        events.items[0]?.message ?? '',
        /from member1 are inside member3's pod CIDR 10\.10\.0\.0\/16/,
      );
    });
    assert.equal(await metricOf(syncer, POD_SERIES), 1);
  });

  it('says True again and counts nothing once the overlapping node is gone', async () => {
    await member3().deleteNode({ name: node });
    await eventually('the condition says True', async () => {
      assert.match(conditionOf(await readMcs(sb, ns), TYPE), /^True\/NoCIDROverlap: /);
    });
    assert.equal(await metricOf(syncer, POD_SERIES), 0);
  });

  it("finds an endpoint inside member3's Service CIDR, from its ServiceCIDR object", async () => {
    // 10.99.0.1: inside member3's --service-cluster-ip-range, which the API server publishes
    // as the ServiceCIDR named kubernetes.
    await exportWrittenServices(sb, ns, ['svc-range'], ['member1'], ['member3']);
    await writeSourceSlice(sb, 'member1', ns, 'svc-range-src', 'svc-range', 99);
    await eventually('the condition of svc-range says False', async () => {
      assert.equal(
        conditionOf(await readMcs(sb, ns, 'svc-range'), TYPE),
        "False/CIDROverlap: endpoint 10.99.0.1 from member1 is inside member3's Service CIDR 10.99.0.0/16 (ServiceCIDR kubernetes): member3 routes it to itself, not to member1",
      );
    });
    assert.equal(await metricOf(syncer, SERVICE_SERIES), 1);
    assert.deepEqual(readyAddresses((await slicesIn(sb, 'member3', ns, 'svc-range')).ours), ['10.99.0.1']);
  });
});
