/**
 * `make demo`, the README's first command, runs the seed's example end to end: its script
 * is run here against the test sandbox, and everything it started is removed afterwards.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { findSandboxProcesses, stopProcess } from '../sandbox/processes.ts';
import { REPO_ROOT, type Sandbox } from '../sandbox/sandbox.ts';
import { eventually, kubectl, runCommand, useSandbox } from '../sandbox/testing.ts';

describe('make demo', () => {
  let sb: Sandbox;
  let run: { code: number; stdout: string; stderr: string };

  before(async () => {
    sb = await useSandbox();
    run = await runCommand(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/demo/demo.ts')], {
      ...process.env,
      MCS_SANDBOX_DIR: sb.layout.dir,
    });
  });
  after(async () => {
    const admission = sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
    await admission.deleteValidatingWebhookConfiguration({ name: 'mcs-bridge-demo' }).catch(() => undefined);
    await admission.deleteMutatingWebhookConfiguration({ name: 'mcs-bridge-demo' }).catch(() => undefined);
    // The MCS first, while the demo's syncer still runs to withdraw it and release its finalizer.
    await kubectl(sb, [
      '--context',
      'hub',
      'delete',
      'mcs',
      'nginx',
      '-n',
      'default',
      '--wait=true',
      '--timeout=30s',
    ]).catch(() => '');
    for (const p of await findSandboxProcesses(sb.layout.dir)) {
      if (p.component.startsWith('demo-')) await stopProcess(p.pid);
    }
    await kubectl(sb, [
      '--context',
      'hub',
      'delete',
      'service',
      'nginx',
      '-n',
      'default',
      '--ignore-not-found',
    ]);
    await kubectl(sb, [
      '--context',
      'member1',
      'delete',
      'deployment',
      'nginx',
      '-n',
      'default',
      '--ignore-not-found',
    ]);
    await kubectl(sb, [
      '--context',
      'member2',
      'delete',
      'deployment',
      'curl',
      '-n',
      'default',
      '--ignore-not-found',
    ]);
  });

  it('ends well and shows the copies of member1 in member2', () => {
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^member1-nginx-\S+\s+IPv4\s+80\s+10\.10\.\d+\.\d+,10\.10\.\d+\.\d+/m);
    assert.match(
      run.stdout,
      /^nginx\s+\["CrossCluster"\]\s+\[\{"name":"member1"\}\]\s+\[\{"name":"member2"\}\]\s+True/m,
    );
    assert.match(run.stdout, /Stop everything: make sandbox-down/);
  });

  it('shows the webhook refusing a bad MultiClusterService, naming the fields', () => {
    assert.match(run.stdout, /denied the request: .*spec\.ports\[1\]\.name: Duplicate value: "http"/);
    assert.match(
      run.stdout,
      /spec\.types: .*MultiClusterService types should not contain more than one type/,
    );
  });

  it('left the webhook labelling the seed MCS and the syncer keeping it', async () => {
    const mcs = (await sb.kubeConfig('hub').makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'networking.karmada.io',
      version: 'v1alpha1',
      plural: 'multiclusterservices',
      namespace: 'default',
      name: 'nginx',
    })) as { metadata?: { labels?: Record<string, string>; finalizers?: string[] } };
    assert.match(
      mcs.metadata?.labels?.['multiclusterservice.karmada.io/permanent-id'] ?? '',
      /^[0-9a-f-]{36}$/,
    );
    assert.ok(mcs.metadata?.finalizers?.includes('mcs-bridge.io/cleanup'));
    await eventually('the demo processes run', async () => {
      const names = (await findSandboxProcesses(sb.layout.dir)).map((p) => p.component);
      assert.ok(names.includes('demo-webhook') && names.includes('demo-syncer'), names.join(', '));
    });
  });
});
