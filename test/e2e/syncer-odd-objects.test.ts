/**
 * Odd objects the syncer may meet: a slice without the service-name label, and an MCS
 * whose Service is of type ExternalName. It says what is wrong where a user looks (the
 * status) and keeps serving everything else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { describeApiError, httpCode } from '../../lib/kube-errors.ts';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  conditionOf,
  ensureCrd,
  exportWrittenServices,
  putMcs,
  readMcs,
  readyAddresses,
  type SyncerUnderTest,
  slicesIn,
  startSyncer,
} from './harness/syncer.ts';

describe('the syncer given odd objects', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  const ns = uniqueName('odd');
  let cleanup = async () => {};

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    syncer = await startSyncer(sb, 'syncer-odd-objects');
  });
  after(async () => {
    await cleanup();
    await syncer?.program.stop();
  });

  it('leaves a slice without the service-name label alone and keeps serving the rest', async () => {
    reliabilityCase('Bad input', 'A slice without the service-name label');
    await sb
      .kubeConfig('member1')
      .makeApiClient(DiscoveryV1Api)
      .createNamespacedEndpointSlice({
        namespace: ns,
        body: {
          metadata: {
            name: 'orphan',
            labels: { 'endpointslice.kubernetes.io/managed-by': 'someone.example.com' },
          },
          addressType: 'IPv4',
          endpoints: [{ addresses: ['10.10.7.7'] }],
        },
      });
    await exportWrittenServices(sb, ns, ['fine'], ['member1'], ['member2']);
    await eventually('the labelled one is copied', async () => {
      assert.equal(readyAddresses((await slicesIn(sb, 'member2', ns, 'fine')).ours).length, 1);
    });
    const all = await sb
      .kubeConfig('member2')
      .makeApiClient(DiscoveryV1Api)
      .listNamespacedEndpointSlice({ namespace: ns });
    assert.ok(!all.items.some((s) => s.metadata?.name?.includes('orphan')), 'the unlabelled one is not');
    assert.ok(await syncer.program.alive());
  });

  it('reports an MCS whose Service is ExternalName in its status, and puts nothing in the members', async () => {
    reliabilityCase('Bad input', 'An MCS whose Service is ExternalName');
    await sb
      .kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .createNamespacedService({
        namespace: ns,
        body: { metadata: { name: 'ext' }, spec: { type: 'ExternalName', externalName: 'example.com' } },
      });
    await putMcs(sb, ns, ['member1'], ['member2'], 'ext');
    await eventually('ServiceApplied says why', async () => {
      assert.match(
        conditionOf(await readMcs(sb, ns, 'ext'), 'ServiceApplied'),
        /^False\/ServiceTypeNotSupported: .*ExternalName/,
      );
    });
    for (const m of ['member1', 'member2'] as const) {
      // Exactly "not found": a refused connection or a 403 would say nothing about a copy.
      await assert.rejects(
        sb.kubeConfig(m).makeApiClient(CoreV1Api).readNamespacedService({ name: 'ext', namespace: ns }),
        (err: unknown) => {
          assert.equal(httpCode(err), 404, `reading Service ${ns}/ext in ${m}: ${describeApiError(err)}`);
          return true;
        },
        `no Service copy in ${m}`,
      );
    }
  });
});
