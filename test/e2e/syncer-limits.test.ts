/**
 * Objects at the limits Kubernetes allows: a slice of 1,000 endpoints, a copy name that
 * would pass 253 characters, slices of the same name from two providers in one consumer,
 * and a Service with 100 ports.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { dispatchedSliceName } from '../../syncer/names.ts';
import { reliabilityCase } from '../reliability/case.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  ensureCrd,
  exportWrittenServices,
  putMcs,
  readyAddresses,
  type SyncerUnderTest,
  slicesIn,
  startSyncer,
  writeSourceSlice,
} from './harness/syncer.ts';

describe('the syncer with objects at the limits', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest;
  const ns = uniqueName('limits');
  let cleanup = async () => {};

  before(async () => {
    sb = await useSandbox();
    assert.ok(sb.extraMembers.includes('member3'), 'the sandbox runs member3 (make test-e2e starts it)');
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    syncer = await startSyncer(sb, 'syncer-limits', [], { contexts: ['member1', 'member2', 'member3'] });
  });
  after(async () => {
    await cleanup();
    await syncer?.program.stop();
  });

  it('copies a slice of 1,000 endpoints whole', async () => {
    reliabilityCase('Bad input', 'A slice of 1,000 endpoints');
    await exportWrittenServices(sb, ns, ['big'], ['member1'], ['member2'], 1_000);
    await eventually('the copy holds all 1,000 endpoints', async () => {
      const { ours } = await slicesIn(sb, 'member2', ns, 'big');
      assert.equal(ours.length, 1);
      assert.equal(readyAddresses(ours).length, 1_000);
    });
  });

  it('shortens a copy name past 253 characters with a hash, and withdraws it with its source', async () => {
    reliabilityCase('Bad input', 'A copy name longer than 253 characters');
    // 250 characters: a valid name itself, but `member1-` makes 258.
    const source = `s${'x'.repeat(249)}`;
    const copy = dispatchedSliceName('member1', source);
    assert.ok(copy.length <= 253 && copy !== `member1-${source}`, `${copy.length} characters, hashed`);
    await exportWrittenServices(sb, ns, ['longname'], ['member1'], ['member2']);
    await writeSourceSlice(sb, 'member1', ns, source, 'longname', 9);
    await eventually('the hashed copy is there', async () => {
      const names = (await slicesIn(sb, 'member2', ns, 'longname')).ours.map((s) => s.metadata?.name);
      assert.ok(names.includes(copy), names.join(', '));
    });
    await sb
      .kubeConfig('member1')
      .makeApiClient(DiscoveryV1Api)
      .deleteNamespacedEndpointSlice({ name: source, namespace: ns });
    await eventually('the hashed copy went with its source', async () => {
      const names = (await slicesIn(sb, 'member2', ns, 'longname')).ours.map((s) => s.metadata?.name);
      assert.ok(!names.includes(copy), names.join(', '));
    });
  });

  it('keeps slices of the same name from two providers apart in one consumer', async () => {
    reliabilityCase('Bad input', 'Two providers with slices of the same name');
    await sb
      .kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .createNamespacedService({
        namespace: ns,
        body: { metadata: { name: 'twin' }, spec: { ports: [{ port: 80 }] } },
      });
    await writeSourceSlice(sb, 'member1', ns, 'twin-shared', 'twin', 11);
    await writeSourceSlice(sb, 'member2', ns, 'twin-shared', 'twin', 22);
    await putMcs(sb, ns, ['member1', 'member2'], ['member3'], 'twin');
    await eventually('member3 holds both, each with its own provider’s endpoints', async () => {
      const { ours } = await slicesIn(sb, 'member3', ns, 'twin');
      const byName = new Map(ours.map((s) => [s.metadata?.name, readyAddresses([s])]));
      assert.deepEqual(byName.get('member1-twin-shared'), ['10.11.0.1']);
      assert.deepEqual(byName.get('member2-twin-shared'), ['10.22.0.1']);
    });
  });

  it('carries a Service of 100 ports and slices of 100 ports', async () => {
    reliabilityCase('Bad input', 'A Service with 100 ports');
    const ports = Array.from({ length: 100 }, (_, i) => ({ name: `p${i}`, port: 8000 + i, protocol: 'TCP' }));
    await sb
      .kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .createNamespacedService({ namespace: ns, body: { metadata: { name: 'wide' }, spec: { ports } } });
    await writeSourceSlice(sb, 'member1', ns, 'wide-src', 'wide', 33, 1, ports);
    await putMcs(sb, ns, ['member1'], ['member2'], 'wide');
    await eventually('the Service copy and the slice copy carry all 100 ports', async () => {
      const svc = await sb
        .kubeConfig('member2')
        .makeApiClient(CoreV1Api)
        .readNamespacedService({ name: 'wide', namespace: ns });
      assert.deepEqual(
        svc.spec?.ports?.map((p) => `${p.name}:${p.port}`),
        ports.map((p) => `${p.name}:${p.port}`),
      );
      const { ours } = await slicesIn(sb, 'member2', ns, 'wide');
      assert.equal(ours[0]?.ports?.length, 100);
    });
  });
});
