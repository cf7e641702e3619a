/**
 * `make demo-karmada` runs the seed guide verbatim on Karmada: its script is run here against
 * the Karmada test sandbox, twice (a second run starts over), and everything it made is
 * removed afterwards.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { findSandboxProcesses, stopProcess } from '../../sandbox/processes.ts';
import { REPO_ROOT, type Sandbox } from '../../sandbox/sandbox.ts';
import { kubectl, runCommand, useSandbox } from '../../sandbox/testing.ts';
import { KarmadaInstall, PROCESS_PREFIX } from '../harness/karmada-install.ts';

/** What a member object says about its writer: labels, and the managers of its fields. */
interface Written {
  metadata: { name: string; labels?: Record<string, string>; managedFields?: { manager?: string }[] };
}
/** A Karmada Work: the manifests Karmada's execution controller writes into one member. */
interface Work {
  metadata: { name: string };
  spec?: { workload?: { manifests?: { kind?: string; metadata?: { name?: string } }[] } };
}
const managersOf = (o: Written) => [...new Set((o.metadata.managedFields ?? []).map((f) => f.manager))];

const STEP = { timeout: 600_000 };

describe('make demo-karmada', () => {
  let sb: Sandbox;
  const demo = () =>
    runCommand(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'test/demo/karmada.ts')], {
      ...process.env,
      MCS_SANDBOX_DIR: sb.layout.dir,
    });

  before(async () => {
    sb = await useSandbox();
  });
  after(async () => {
    // The MCS first, while the demo's syncer still runs to withdraw it and release its finalizer.
    const fixtures = path.join(REPO_ROOT, 'test/fixtures/seed-karmada');
    await kubectl(sb, [
      '--context',
      'karmada-apiserver',
      'delete',
      '-f',
      fixtures,
      '--ignore-not-found',
      '--timeout=60s',
    ]).catch(() => '');
    for (const p of await findSandboxProcesses(sb.layout.dir)) {
      if (p.component.startsWith(PROCESS_PREFIX)) await stopProcess(p.pid);
    }
    await new KarmadaInstall(sb, path.join(sb.layout.dir, 'demo-karmada')).teardown();
  });

  it(
    'prints what the guide shows: nginx in member1, member1’s pod IPs in member2, the MCS ready',
    STEP,
    async () => {
      for (const round of ['first', 'second']) {
        const run = await demo();
        const out = `${run.stdout}\n${run.stderr}`;
        assert.equal(run.code, 0, `${round} run: ${out}`);
        const pods = [
          ...run.stdout.matchAll(/^(nginx-\S+)\s+(member\d)\s+1\/1\s+Running\s+(10\.10\.\d+\.\d+)$/gm),
        ];
        assert.equal(pods.length, 2, `${round} run: two nginx pods in member1:\n${run.stdout}`);
        assert.match(run.stdout, /^curl-\S+\s+member2\s+1\/1\s+Running/m);
        const ips = pods.map((m) => m[3]).sort();
        const slice = /^member1-nginx-\S+\s+IPv4\s+80\s+(\S+)/m.exec(run.stdout);
        assert.deepEqual(
          slice?.[1]?.split(',').sort(),
          ips,
          `${round} run: member2's copy holds the pods' IPs`,
        );
        assert.match(run.stdout, /^nginx\s+True$/m, `${round} run: READY True`);
        assert.match(run.stdout, /Stop everything: make sandbox-down/);
      }
      const names = (await findSandboxProcesses(sb.layout.dir))
        .map((p) => p.component)
        .filter((n) => n.startsWith(PROCESS_PREFIX));
      assert.deepEqual(
        names.sort(),
        [`${PROCESS_PREFIX}syncer-demo`, `${PROCESS_PREFIX}webhook-demo`],
        'one webhook and one syncer',
      );
    },
  );

  it(
    'leaves member2’s copies of the Service and its EndpointSlices to mcs-bridge, not to Karmada',
    STEP,
    async () => {
      const get = async <T>(args: string[]) =>
        (JSON.parse(await kubectl(sb, [...args, '-o', 'json', '--show-managed-fields'])) as { items: T[] })
          .items;
      const slices = (
        await get<Written>([
          '--context',
          'member2',
          '-n',
          'default',
          'get',
          'endpointslices',
          '-l',
          'kubernetes.io/service-name=nginx',
        ])
      ).filter((s) => s.metadata.name.startsWith('member1-nginx-'));
      assert.ok(slices.length > 0, 'member2 holds a copy of member1’s EndpointSlice');
      for (const s of slices) {
        assert.equal(
          s.metadata.labels?.['endpointslice.kubernetes.io/managed-by'],
          'syncer.mcs-bridge.io',
          s.metadata.name,
        );
        assert.deepEqual(managersOf(s), ['mcs-bridge-syncer'], `the writers of ${s.metadata.name}`);
      }
      const [service] = await get<Written>([
        '--context',
        'member2',
        '-n',
        'default',
        'get',
        'services',
        '--field-selector',
        'metadata.name=nginx',
      ]);
      assert.ok(service, 'member2 holds a copy of the nginx Service');
      assert.equal(service.metadata.labels?.['app.kubernetes.io/managed-by'], 'mcs-bridge');
      assert.deepEqual(managersOf(service), ['mcs-bridge-syncer'], 'the writers of the Service copy');
      // Karmada writes into a member only through a Work in its execution space.
      const works = await get<Work>([
        '--context',
        'karmada-apiserver',
        '-n',
        'karmada-es-member2',
        'get',
        'works',
      ]);
      const manifests = works.flatMap((w) =>
        (w.spec?.workload?.manifests ?? []).map((m) => `${w.metadata.name}: ${m.kind}/${m.metadata?.name}`),
      );
      assert.ok(
        manifests.some((m) => m.endsWith('Deployment/curl')),
        `Karmada placed curl in member2 through a Work: ${manifests.join(', ')}`,
      );
      assert.deepEqual(
        manifests.filter((m) => /: (EndpointSlice\/|Service\/nginx$)/.test(m)),
        [],
        'no Karmada Work carries the nginx Service or an EndpointSlice to member2',
      );
    },
  );
});
