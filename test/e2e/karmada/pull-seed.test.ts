/**
 * The seed guide verbatim (`make demo-karmada`'s script) with one member joined in Pull mode,
 * twice: member2 (the consumer) in Pull mode, then member1 (the provider). The member leaves
 * and joins again the way `karmadactl register` joins one (sandbox `setPullMembers`): its
 * karmada-agent v1.18.2 runs beside it with register's RBAC, no Karmada feature gate anywhere,
 * and nothing of mcs-bridge's runs in or talks to that member: mcs-bridge's copies travel as
 * Works in `karmada-es-<member>`, and a Pull provider's EndpointSlices come back as the agent's
 * serviceExport reports.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import type { PullMember } from '../../sandbox/layout.ts';
import { findSandboxProcesses, stopProcess } from '../../sandbox/processes.ts';
import { REPO_ROOT, type Sandbox } from '../../sandbox/sandbox.ts';
import { eventually, kubectl, runCommand, useSandbox } from '../../sandbox/testing.ts';
import { KarmadaInstall, PROCESS_PREFIX } from '../harness/karmada-install.ts';
import { nginxPodIps, readyAddresses, slicesIn } from '../harness/syncer.ts';

const STEP = { timeout: 600_000 };
const WORKS = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' };

interface Work {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    workload?: {
      manifests?: { kind?: string; metadata?: { name?: string; labels?: Record<string, string> } }[];
    };
  };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/** The argv of a running sandbox process, from /proc. */
async function argvOf(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
}

for (const pull of ['member2', 'member1'] as const satisfies readonly PullMember[]) {
  const role = pull === 'member2' ? 'the consumer' : 'the provider';
  describe(`the seed guide with ${pull} (${role}) joined in Pull mode`, () => {
    let sb: Sandbox;
    const demo = () =>
      runCommand(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/demo/karmada.ts')], {
        ...process.env,
        MCS_SANDBOX_DIR: sb.layout.dir,
      });
    const works = async (member: string) =>
      (
        (await sb
          .kubeConfig('hub')
          .makeApiClient(CustomObjectsApi)
          .listNamespacedCustomObject({ ...WORKS, namespace: `karmada-es-${member}` })) as { items: Work[] }
      ).items;

    before(
      async () => {
        sb = await useSandbox();
        await sb.setPullMembers([pull]);
      },
      { timeout: 300_000 },
    );
    after(
      async () => {
        await kubectl(sb, [
          '--context',
          'karmada-apiserver',
          'delete',
          '-f',
          path.join(REPO_ROOT, 'test/fixtures/seed-karmada'),
          '--ignore-not-found',
          '--timeout=60s',
        ]).catch(() => '');
        for (const p of await findSandboxProcesses(sb.layout.dir)) {
          if (p.component.startsWith(PROCESS_PREFIX)) await stopProcess(p.pid);
        }
        await new KarmadaInstall(sb, path.join(sb.layout.dir, 'demo-karmada')).teardown();
        await sb.setPullMembers([]);
      },
      { timeout: 300_000 },
    );

    const joined = `joins ${pull} as karmadactl register does: Pull mode, an agent and a controller manager without feature gates`;
    it(joined, async () => {
      const cluster = (await sb.kubeConfig('hub').makeApiClient(CustomObjectsApi).getClusterCustomObject({
        group: 'cluster.karmada.io',
        version: 'v1alpha1',
        plural: 'clusters',
        name: pull,
      })) as {
        spec?: { syncMode?: string; secretRef?: unknown };
      };
      assert.equal(cluster.spec?.syncMode, 'Pull');
      const procs = await findSandboxProcesses(sb.layout.dir);
      const agent = procs.find((p) => p.component === `karmada-agent-${pull}`);
      assert.ok(agent, `karmada-agent-${pull} runs`);
      const kcm = procs.find((p) => p.component === 'karmada-controller-manager');
      assert.ok(kcm);
      for (const p of [agent, kcm]) {
        const argv = await argvOf(p.pid);
        assert.ok(!argv.some((a) => a.startsWith('--feature-gates')), `${p.component}: ${argv.join(' ')}`);
      }
      const other = pull === 'member2' ? 'member1' : 'member2';
      assert.ok(!procs.some((p) => p.component === `karmada-agent-${other}`), `${other} stays in Push mode`);
    });

    it(
      'prints what the guide shows: nginx in member1, member1’s pod IPs in member2, the MCS ready',
      STEP,
      async () => {
        const run = await demo();
        const out = `${run.stdout}\n${run.stderr}`;
        assert.equal(run.code, 0, out);
        const pods = [
          ...run.stdout.matchAll(/^(nginx-\S+)\s+(member\d)\s+1\/1\s+Running\s+(10\.10\.\d+\.\d+)$/gm),
        ];
        assert.equal(pods.length, 2, `two nginx pods in member1:\n${run.stdout}`);
        assert.match(run.stdout, /^curl-\S+\s+member2\s+1\/1\s+Running/m);
        const ips = pods.map((m) => m[3]).sort();
        const slice = /^member1-nginx-\S+\s+IPv4\s+80\s+(\S+)/m.exec(run.stdout);
        assert.deepEqual(slice?.[1]?.split(',').sort(), ips, "member2's copy holds the pods' IPs");
        assert.match(run.stdout, /^nginx\s+True$/m, 'READY True');
      },
    );

    it(
      `reaches ${pull} only through Works in karmada-es-${pull}, which its agent applied`,
      STEP,
      async () => {
        const podIps = await nginxPodIps(sb, 'member1', 'default');
        await eventually(
          `mcs-bridge's Works in karmada-es-${pull} applied`,
          async () => {
            const ours = (await works(pull)).filter(
              (w) => w.metadata.labels?.['app.kubernetes.io/managed-by'] === 'mcs-bridge',
            );
            const names = ours.map((w) => w.metadata.name).sort();
            if (pull === 'member2') {
              assert.equal(names.length, 2, names.join(', '));
              assert.equal(names[1], 'mcs-bridge-service-default-nginx');
              assert.match(names[0] ?? '', /^mcs-bridge-endpointslice-default-member1-nginx-/);
            } else assert.deepEqual(names, ['mcs-bridge-service-default-nginx']);
            for (const w of ours) {
              const applied = w.status?.conditions?.find((c) => c.type === 'Applied');
              assert.equal(
                applied?.status,
                'True',
                `${w.metadata.name}: ${applied?.message ?? 'not reported'}`,
              );
            }
            const service = ours.find((w) => w.metadata.name === 'mcs-bridge-service-default-nginx');
            const exported = service?.spec?.workload?.manifests?.find((m) => m.kind === 'ServiceExport');
            assert.equal(exported?.metadata?.labels?.['mcs-bridge.io/exported-by'], 'mcs-bridge');
          },
          { timeoutMs: 60_000 },
        );
        if (pull === 'member1') {
          // The provider's slice reached mcs-bridge as the agent's serviceExport report.
          const reports = (await works('member1')).filter((w) =>
            (w.metadata.labels?.['endpointslice.karmada.io/managed-by'] ?? '')
              .split('.')
              .includes('ServiceExport'),
          );
          assert.ok(reports.length > 0, 'the agent reported member1’s EndpointSlice');
          const exports = JSON.parse(
            await kubectl(sb, [
              '--context',
              'member1',
              '-n',
              'default',
              'get',
              'serviceexports.multicluster.x-k8s.io',
              '-o',
              'json',
            ]),
          ) as { items: { metadata: { name: string; labels?: Record<string, string> } }[] };
          assert.deepEqual(
            exports.items.map(
              (e) => `${e.metadata.name} ${e.metadata.labels?.['mcs-bridge.io/exported-by']}`,
            ),
            ['nginx mcs-bridge'],
          );
        }
        // member2's copies hold member1's pod IPs, whichever way they went.
        assert.deepEqual(readyAddresses((await slicesIn(sb, 'member2', 'default')).ours), podIps);
        // No copy of member2's came back to the hub as a source (the copy is not reported).
        const reportedCopies = (await works('member2')).filter(
          (w) =>
            (w.metadata.labels?.['endpointslice.karmada.io/managed-by'] ?? '').includes('ServiceExport') &&
            w.spec?.workload?.manifests?.some((m) => m.metadata?.name?.startsWith('member1-')),
        );
        assert.deepEqual(
          reportedCopies.map((w) => w.metadata.name),
          [],
          'no copy reported back (karmada#6522)',
        );
      },
    );

    it(`leaves no Work of mcs-bridge's in karmada-es-${pull} once the MCS is deleted`, STEP, async () => {
      await kubectl(sb, [
        '--context',
        'karmada-apiserver',
        '-n',
        'default',
        'delete',
        'mcs',
        'nginx',
        '--timeout=60s',
      ]);
      await eventually(
        'every Work mcs-bridge made gone',
        async () => {
          for (const m of ['member1', 'member2']) {
            const left = (await works(m)).filter(
              (w) => w.metadata.labels?.['app.kubernetes.io/managed-by'] === 'mcs-bridge',
            );
            assert.deepEqual(
              left.map((w) => w.metadata.name),
              [],
              m,
            );
          }
        },
        { timeoutMs: 60_000 },
      );
      assert.deepEqual(
        (await slicesIn(sb, 'member2', 'default')).ours,
        [],
        'the copies withdrawn from member2',
      );
    });
  });
}
