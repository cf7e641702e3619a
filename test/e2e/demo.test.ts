/**
 * `make demo`, the README's first command, runs the seed's example end to end, and `make
 * demo-dataplane` then ends with the guide's own `kubectl exec … curl` answered by member1 and
 * a clean `kubectl mcs diagnose`: their scripts are run here against the test sandbox (as
 * root, like the data-plane suite), and everything they started is removed afterwards.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { DataPlane } from '../dataplane/dataplane.ts';
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
    await DataPlane.down(sb.layout.dir, { log: () => {} }).catch((err: Error) => {
      process.stderr.write(`dataplane cleanup: ${err.message}\n`);
    });
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
    assert.match(run.stdout, /^nginx\s+CrossCluster\s+member1\s+member2\s+True/m);
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

  it("then make demo-dataplane ends with the guide's kubectl exec answered by member1, and a clean diagnosis", async () => {
    const dp = await runCommand(
      process.execPath,
      ['--import', 'tsx', path.join(REPO_ROOT, 'test/demo/dataplane.ts')],
      { ...process.env, MCS_SANDBOX_DIR: sb.layout.dir },
    );
    assert.equal(dp.code, 0, `${dp.stdout}\n${dp.stderr}`);
    const out = dp.stdout;
    // With the link between the nodes cut, both of member1's endpoints are named…
    assert.match(
      out,
      /\n2 problems:\n- EndpointUnreachable \[member2\]: member2\/default\/curl-\S+ cannot connect to 10\.10\.\d+\.\d+:80 \(member1\): .*\n.*\n- EndpointUnreachable \[member2\]: /,
    );
    // …and once it is back, the guide's last command and a diagnosis with nothing wrong.
    const tail = out.slice(
      out.indexOf('$ kubectl --context member2 exec deploy/curl -- curl -s http://nginx.default\n'),
    );
    assert.match(
      tail,
      /^\$ kubectl --context member2 exec deploy\/curl -- curl -s http:\/\/nginx\.default\nHello, world!\nVersion: 1\.0\.0\nHostname: nginx-[a-z0-9]+-[a-z0-9]+\n/,
    );
    const host = /\nHostname: (\S+)\n/.exec(tail)?.[1] ?? '';
    const pods = await kubectl(sb, [
      '--context',
      'member1',
      'get',
      'pods',
      '-n',
      'default',
      '-l',
      'app=nginx',
      '-o',
      'name',
    ]);
    assert.ok(pods.split('\n').includes(`pod/${host}`), `${host} is one of member1's nginx pods: ${pods}`);
    assert.match(
      tail,
      /\n {2}10\.10\.\d+\.\d+:80 \(member1\): connected, in \d+ms\n {2}10\.10\.\d+\.\d+:80 \(member1\): connected, in \d+ms\n\nNo problems found\.\n/,
    );
  });
});
