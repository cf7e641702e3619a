/**
 * Native service access end to end on real data-plane components: the seed's nginx in
 * member1 (pods as network namespaces with the IPs kwok gave them), the seed's Service and
 * MCS on the hub through the webhook, the syncer copying endpoints into member2, and in
 * member2 a real kube-proxy (nftables) and a real CoreDNS, so that `curl -s http://nginx.<ns>`
 * from member2's curl pod answers with a member1 pod's name — through the guide's own
 * `kubectl exec deploy/curl -- curl`, which kwok serves as member2's kubelet — and `kubectl mcs
 * diagnose` finds nothing wrong until the link between the two nodes is cut, then names the
 * endpoints it can no longer reach. Needs root (see test/dataplane/).
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import { DataPlane } from '../dataplane/dataplane.ts';
import { ip } from '../dataplane/netns.ts';
import { reliabilityCase } from '../reliability/case.ts';
import { REPO_ROOT, type Sandbox } from '../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  kubectl,
  loadFixture,
  runCommand,
  uniqueName,
  useSandbox,
} from '../sandbox/testing.ts';
import { deleteMcs, ensureCrd, type SyncerUnderTest, scaleNginx, startSyncer } from './harness/syncer.ts';
import {
  kubectlRun,
  mutatingConfiguration,
  NAMESPACE_LABEL,
  startWebhook,
  validatingConfiguration,
  type WebhookUnderTest,
} from './harness/webhook.ts';

const PERMANENT_ID = 'multiclusterservice.karmada.io/permanent-id';
const HOSTNAME = /^Hello, world!\nVersion: 1\.0\.0\nHostname: (nginx-[a-z0-9]+-[a-z0-9]+)\n$/;
/** kube-proxy applies a change within its minSyncPeriod (1 s); the syncer copies within a second or two. */
const KUBE_PROXY_BOUND_MS = 20_000;

/** The parts of `kubectl mcs diagnose -o json` these tests read. */
interface DiagnoseJson {
  problems: { code: string; message: string }[];
  probes?: { results: { provider: string; ip: string; port: number; outcome: string }[] };
}

/** The root namespace's interfaces, routes and nftables rules: the data plane must not change them. */
async function rootNetworkState(): Promise<string> {
  const parts = await Promise.all([
    runCommand('ip', ['-o', 'link', 'show']),
    runCommand('ip', ['route', 'show', 'table', 'all']),
    runCommand('nft', ['list', 'ruleset']),
  ]);
  // Counters and link statistics change with traffic; names, routes and rules must not.
  return parts.map((p) => p.stdout.replace(/\s+(qlen|packets|bytes)\s+\d+/g, '')).join('\n---\n');
}

describe('curl http://nginx.<namespace> from member2 reaches nginx in member1 (real kube-proxy and CoreDNS)', () => {
  let sb: Sandbox;
  let syncer: SyncerUnderTest | undefined;
  let webhook: WebhookUnderTest | undefined;
  let dp: DataPlane | undefined;
  let rootBefore = '';
  const ns = uniqueName('dp');
  const url = `http://nginx.${ns}`;
  let cleanup = async () => {};

  const memberOnePods = async () =>
    (
      await sb
        .kubeConfig('member1')
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace: ns, labelSelector: 'app=nginx' })
    ).items.map((p) => p.metadata?.name ?? '');
  const curlName = async () => {
    const r = await (dp as DataPlane).curl([url]);
    assert.equal(r.code, 0, `curl ${url} failed (exit ${r.code}): ${r.stderr}`);
    const m = HOSTNAME.exec(r.stdout);
    assert.ok(m?.[1], `curl ${url} answered ${JSON.stringify(r.stdout)}`);
    return m[1];
  };

  const memberOneIps = async () =>
    (
      await sb
        .kubeConfig('member1')
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace: ns, labelSelector: 'app=nginx' })
    ).items
      .map((p) => p.status?.podIP ?? '')
      // The order kubectl mcs lists endpoints in: numbers in an address compared as numbers.
      .sort(new Intl.Collator('en', { numeric: true }).compare);
  /** `kubectl mcs diagnose nginx` through kubectl's plugin lookup, probing from the curl pod, as JSON. */
  const diagnose = (extra: string[] = []) =>
    runCommand(
      path.join(sb.binDir, 'kubectl'),
      [
        'mcs',
        'diagnose',
        'nginx',
        '-n',
        ns,
        `--kubeconfig=${sb.layout.kubeconfig}`,
        '--context=hub',
        `--member-kubeconfig=${sb.layout.kubeconfig}`,
        '--member-context=member1',
        '--member-context=member2',
        `--syncer-url=http://127.0.0.1:${syncer?.metricsPort}`,
        '--probe-from=member2/deploy/curl',
        '-o',
        'json',
        ...extra,
      ],
      { ...process.env, PATH: `${path.join(REPO_ROOT, 'dist/bin')}:${process.env.PATH}` },
    );

  before(async () => {
    sb = await useSandbox();
    rootBefore = await rootNetworkState();
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    // The webhook limits itself to namespaces with this label, as in its own suite.
    await kubectl(sb, ['--context', 'hub', 'label', 'namespace', ns, `${NAMESPACE_LABEL}=${ns}`]);
    webhook = await startWebhook(sb, 'webhook-dataplane', ns);
    const admission = sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
    await admission.createMutatingWebhookConfiguration({ body: mutatingConfiguration(webhook.endpoint) });
    await admission.createValidatingWebhookConfiguration({ body: validatingConfiguration(webhook.endpoint) });
    syncer = await startSyncer(sb, 'syncer-dataplane');
    await createAll(sb, 'member1', ns, await loadFixture('seed/nginx-deployment.yaml'));
    await createAll(sb, 'member2', ns, await loadFixture('seed/curl-deployment.yaml'));
    dp = await DataPlane.up(sb, { namespace: ns, log: () => {} });
    // The apiserver reads new webhook configurations from a watch: wait until the mutating
    // one labels a dry run, so the seed's MCS below goes through both.
    const [service, mcs] = await loadFixture('seed/nginx-service-mcs.yaml');
    await eventually('the webhook is in effect', async () => {
      const r = await kubectlRun(
        sb,
        ['apply', '-n', ns, '--dry-run=server', '-o', 'json', '-f', '-'],
        JSON.stringify(mcs),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.ok(JSON.parse(r.stdout).metadata.labels?.[PERMANENT_ID], 'labelled by the mutating webhook');
    });
    await createAll(
      sb,
      'hub',
      ns,
      [service, mcs].filter((o) => o !== undefined),
    );
  });

  after(async () => {
    await DataPlane.down(sb.layout.dir, { log: () => {} }).catch((err: Error) => {
      process.stderr.write(`dataplane cleanup: ${err.message}\n`);
    });
    await cleanup(); // while the syncer runs, so it withdraws and releases its finalizer
    await syncer?.program.stop();
    await webhook?.program.stop();
    if (webhook) {
      const admission = sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
      const name = webhook.endpoint.name;
      await admission.deleteMutatingWebhookConfiguration({ name }).catch(() => undefined);
      await admission.deleteValidatingWebhookConfiguration({ name }).catch(() => undefined);
      await rm(webhook.certDir, { recursive: true, force: true });
    }
  });

  it("answers with the name of one of member1's nginx pods, resolved by name to member2's own cluster IP", async () => {
    const name = await eventually(`curl ${url} answers`, curlName, { timeoutMs: 60_000 });
    assert.ok((await memberOnePods()).includes(name), `${name} is a pod of member1`);
    // curl connects to the address DNS gave it; kube-proxy rewrote that to a member1 pod.
    const ip = await (dp as DataPlane).curl(['-o', '/dev/null', '-w', '%{remote_ip}', url]);
    assert.match(ip.stdout, /^10\.98\.\d+\.\d+$/, "member2's cluster IP from its own service range");
  });

  it('reaches both replicas over repeated requests', async () => {
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add(await curlName());
    assert.deepEqual([...seen].sort(), (await memberOnePods()).sort());
  });

  it("answers the guide's `kubectl exec deploy/curl -- curl` from member2's curl pod with a member1 pod", async () => {
    const args = ['--context', 'member2', '-n', ns, 'exec', 'deploy/curl', '--', 'curl', '-s', url];
    const r = await eventually(`kubectl ${args.join(' ')}`, async () => {
      const run = await kubectlRun(sb, args);
      assert.equal(run.code, 0, run.stderr);
      return run;
    });
    const m = HOSTNAME.exec(r.stdout);
    assert.ok(m?.[1], `kubectl exec answered ${JSON.stringify(r.stdout)}`);
    assert.ok((await memberOnePods()).includes(m[1]), `${m[1]} is a pod of member1`);
    // It ran inside the curl pod's namespace: it sees the pod's own resolv.conf (/etc/netns).
    const inside = await kubectlRun(sb, [
      '--context',
      'member2',
      '-n',
      ns,
      'exec',
      'deploy/curl',
      '--',
      'cat',
      '/etc/resolv.conf',
    ]);
    assert.match(inside.stdout, new RegExp(`^search ${ns}\\.svc\\.cluster\\.local `, 'm'));
  });

  it('kubectl mcs diagnose finds nothing wrong, and connects to every endpoint from the curl pod', async () => {
    const r = await eventually('a clean diagnosis', async () => {
      const d = await diagnose();
      assert.equal(d.code, 0, `${d.stdout}${d.stderr}`);
      return JSON.parse(d.stdout) as DiagnoseJson;
    });
    assert.deepEqual(r.problems, []);
    const probes = r.probes?.results ?? [];
    assert.deepEqual(
      probes.map((p) => [p.provider, p.ip, p.port, p.outcome]),
      (await memberOneIps()).map((ip) => ['member1', ip, 80, 'connected']),
    );
  });

  it('names every unreachable endpoint once the link between the nodes is cut, and none once it is back', async () => {
    reliabilityCase('Faults', 'Pod network between two members cut');
    const { netns, linkDevice } = (dp as DataPlane).topology.nodes.member2;
    const m1 = (dp as DataPlane).topology.nodes.member1;
    await ip(['-n', netns, 'link', 'set', linkDevice, 'down']);
    try {
      const d = await diagnose(['--probe-timeout=1s']);
      assert.equal(d.code, 1, d.stderr);
      const r = JSON.parse(d.stdout) as DiagnoseJson;
      assert.deepEqual(
        r.problems.map((p) => p.code),
        (await memberOneIps()).map(() => 'EndpointUnreachable'),
      );
      for (const [i, addr] of (await memberOneIps()).entries())
        assert.match(
          r.problems[i]?.message ?? '',
          new RegExp(
            `^member2/${ns}/curl-\\S+ cannot connect to ${addr.replaceAll('.', '\\.')}:80 \\(member1\\): `,
          ),
        );
    } finally {
      await ip(['-n', netns, 'link', 'set', linkDevice, 'up']);
      await ip(['-n', netns, 'route', 'replace', m1.podCIDR, 'via', m1.ip, 'dev', linkDevice, 'onlink']);
    }
    await eventually('a clean diagnosis again', async () => assert.equal((await diagnose()).code, 0));
  });

  it('fails once member1 scales nginx to 0, within the time kube-proxy needs', async () => {
    const started = Date.now();
    await scaleNginx(sb, 'member1', ns, 0);
    // The pods' namespaces go with the pods, so a request may fail even before kube-proxy
    // knows; what counts is that kube-proxy itself now refuses: the Service sits in its
    // no-endpoints map, and curl gets the immediate reject (exit 7), not a timeout (28).
    await eventually(
      "kube-proxy rejects member2's nginx Service and curl fails",
      async () => {
        assert.match(
          await (dp as DataPlane).kubeProxyRules(),
          new RegExp(`comment "${ns}/nginx" : goto reject-chain`),
        );
        const r = await (dp as DataPlane).curl([url], 2);
        assert.equal(r.code, 7, `curl exit ${r.code}: ${r.stdout}${r.stderr}`);
      },
      { timeoutMs: KUBE_PROXY_BOUND_MS },
    );
    process.stderr.write(
      `dataplane: kube-proxy rejected requests ${Date.now() - started} ms after the scale to 0\n`,
    );
  });

  it('succeeds again when member1 scales back to 2', async () => {
    await scaleNginx(sb, 'member1', ns, 2);
    const seen = new Set<string>();
    await eventually(
      'both new replicas answer',
      async () => {
        seen.add(await curlName());
        assert.equal(seen.size, 2, `answered so far: ${[...seen].join(', ')}`);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    assert.deepEqual([...seen].sort(), (await memberOnePods()).sort());
  });

  it('no longer reaches member1 once the MCS is deleted, by name or by the old cluster IP', async () => {
    const svc = await sb
      .kubeConfig('member2')
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'nginx', namespace: ns });
    const clusterIP = svc.spec?.clusterIP ?? '';
    await curlName();
    await deleteMcs(sb, ns);
    await eventually(
      'requests from member2 fail',
      async () => {
        for (const target of [url, `http://${clusterIP}`]) {
          const r = await (dp as DataPlane).curl([target], 2);
          assert.notEqual(r.code, 0, `${target} still answered: ${r.stdout}`);
        }
      },
      { timeoutMs: KUBE_PROXY_BOUND_MS },
    );
  });

  it('removes every namespace, process, file and rule it made, and leaves the root namespace as it was', async () => {
    await DataPlane.down(sb.layout.dir, { log: () => {} });
    assert.deepEqual(await DataPlane.leftovers(sb.layout.dir), { netns: [], processes: [], etcNetns: [] });
    assert.equal(await rootNetworkState(), rootBefore);
    const dns = await sb
      .kubeConfig('member2')
      .makeApiClient(CoreV1Api)
      .readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' })
      .catch((err: { code?: number }) => err.code);
    assert.equal(dns, 404, "member2's kube-dns Service is gone");
    // Removing what is not there is fine, as the next run's set-up does.
    await DataPlane.down(sb.layout.dir, { log: () => {} });
  });

  it('refuses clearly when not run as root', async () => {
    const r = await runCommand('setpriv', [
      '--reuid=65534',
      '--regid=65534',
      '--clear-groups',
      process.execPath,
      '--import',
      import.meta.resolve('tsx'),
      path.join(REPO_ROOT, 'test/dataplane/cli.ts'),
      'up',
      `--dir=${sb.layout.dir}`,
    ]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /the data plane cannot be set up on this machine: it must run as root \(uid 0, not 65534\)/,
    );
    assert.deepEqual((await DataPlane.leftovers(sb.layout.dir)).netns, []);
  });
});
