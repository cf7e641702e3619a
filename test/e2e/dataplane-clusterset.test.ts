/**
 * `<svc>.<ns>.svc.clusterset.local` end to end on the real data plane (test/dataplane/): from
 * member2's curl pod, CoreDNS (its `multicluster` option, reading ServiceImports as v1alpha1)
 * answers A and SRV for a ClusterSetIP import with the clusterset IP, and HTTP to that name
 * reaches member1's nginx pods through member2's kube-proxy; a headless import answers every pod
 * and each pod by its own name; a Service nobody exported is NXDOMAIN and unreachable. The
 * behaviours of SIG-Multicluster's conformance suite these stand for are listed in
 * docs/mcs-api.md. The import is written by the test in exactly the shape the syncer writes
 * (test/e2e/harness/clusterset.ts), so this suite judges the data plane on its own;
 * dataplane-clusterset-export.test.ts exports by ServiceExport and lets the syncer write them.
 * Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api } from '@kubernetes/client-node';
import { DataPlane } from '../dataplane/dataplane.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, eventually, kubectl, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  backingName,
  backingService,
  dashedAddress,
  type ImportPort,
  importSlice,
  SERVICE_IMPORT,
  serviceImport,
} from './harness/clusterset.ts';
import {
  answeredBy,
  clustersetDataPlane,
  curlName,
  NXDOMAIN,
  records,
} from './harness/clusterset-dataplane.ts';
import { kubectlRun } from './harness/webhook.ts';

/** CoreDNS sees a change as soon as its informer does; kube-proxy within its minSyncPeriod (1 s). */
const BOUND_MS = 20_000;
const PORTS: ImportPort[] = [{ name: 'http', port: 80, protocol: 'TCP' }];
/** The hostname a StatefulSet would give the first pod of the headless import. */
const STATEFUL_HOSTNAME = 'web-0';

describe("clusterset.local from member2's curl pod: ServiceImports answered by CoreDNS, routed by kube-proxy", () => {
  let sb: Sandbox;
  let dp: DataPlane;
  const ns = uniqueName('cs');
  let cleanup = async () => {};
  /** member1's nginx pods: IP → pod name. */
  let pods = new Map<string, string>();
  let clustersetIP = '';
  const fqdn = (name: string) => `${name}.${ns}.svc.clusterset.local`;
  const resolve = (type: 'A' | 'SRV', name: string) => dp.resolve(type, `${name}.`);
  const member2 = () => sb.kubeConfig('member2');

  before(async () => {
    sb = await useSandbox();
    cleanup = await createNamespace(sb, ns, ['member1', 'member2']);
    ({ dp, pods } = await clustersetDataPlane(sb, ns));
    const [first, second] = [...pods.keys()].sort() as [string, string];

    // The ClusterSetIP import of nginx, as the syncer writes it: backing Service, its slice
    // copy, and the ServiceImport with the backing Service's ClusterIP.
    const backing = await member2()
      .makeApiClient(CoreV1Api)
      .createNamespacedService({
        namespace: ns,
        body: backingService({ service: 'nginx', namespace: ns, ports: PORTS }),
      });
    clustersetIP = backing.spec?.clusterIP ?? '';
    const discovery = member2().makeApiClient(DiscoveryV1Api);
    await discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: importSlice({
        sourceSlice: 'nginx-abcde',
        namespace: ns,
        service: 'nginx',
        sourceCluster: 'member1',
        backed: true,
        endpoints: [{ ip: first }, { ip: second }],
        ports: PORTS,
      }),
    });
    const custom = member2().makeApiClient(CustomObjectsApi);
    await custom.createNamespacedCustomObject({
      ...SERVICE_IMPORT,
      namespace: ns,
      body: serviceImport({
        name: 'nginx',
        namespace: ns,
        type: 'ClusterSetIP',
        ips: [clustersetIP],
        ports: PORTS,
      }),
    });

    // The headless import of the same pods: one with a StatefulSet's hostname, one without.
    await discovery.createNamespacedEndpointSlice({
      namespace: ns,
      body: importSlice({
        sourceSlice: 'nginx-headless-abcde',
        namespace: ns,
        service: 'nginx-headless',
        sourceCluster: 'member1',
        backed: false,
        endpoints: [{ ip: first, hostname: STATEFUL_HOSTNAME }, { ip: second }],
        ports: PORTS,
      }),
    });
    await custom.createNamespacedCustomObject({
      ...SERVICE_IMPORT,
      namespace: ns,
      body: serviceImport({ name: 'nginx-headless', namespace: ns, type: 'Headless', ports: PORTS }),
    });
  });

  after(async () => {
    await DataPlane.down(sb.layout.dir, { log: () => {} }).catch((err: Error) => {
      process.stderr.write(`dataplane cleanup: ${err.message}\n`);
    });
    await cleanup();
  });

  it("answers A for <svc>.<ns>.svc.clusterset.local with the ServiceImport's clusterset IP", async () => {
    assert.match(clustersetIP, /^10\.98\.\d+\.\d+$/, "the backing Service's ClusterIP, from member2's range");
    await eventually('the clusterset name resolves', async () =>
      assert.deepEqual(await resolve('A', fqdn('nginx')), records(clustersetIP)),
    );
  });

  it('answers SRV with the port and the clusterset name, also for the named port', async () => {
    assert.deepEqual(await resolve('SRV', fqdn('nginx')), records(`80 ${fqdn('nginx')}`));
    assert.deepEqual(await resolve('SRV', `_http._tcp.${fqdn('nginx')}`), records(`80 ${fqdn('nginx')}`));
  });

  it('leaves cluster.local to member2 itself: no local nginx Service, no answer there', async () => {
    assert.deepEqual(await resolve('A', `nginx.${ns}.svc.cluster.local`), NXDOMAIN);
    assert.deepEqual(await resolve('A', `clusterset-nginx.${ns}.svc.cluster.local`), records(clustersetIP));
  });

  it("reaches member1's nginx pods by the clusterset name, through kube-proxy at the clusterset IP", async () => {
    const url = `http://${fqdn('nginx')}`;
    const name = await eventually(`curl ${url} answers`, () => curlName(dp, url), { timeoutMs: 60_000 });
    assert.ok([...pods.values()].includes(name), `${name} is a pod of member1`);
    const ip = await dp.curl(['-o', '/dev/null', '-w', '%{remote_ip}', url]);
    assert.equal(ip.stdout, clustersetIP, 'curl connected to the clusterset IP, not to a pod');
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 2; i++) seen.add(await curlName(dp, url));
    assert.deepEqual([...seen].sort(), [...pods.values()].sort(), "both of member1's pods answer");
  });

  it("answers the guide's `kubectl exec deploy/curl -- curl` by the clusterset name", async () => {
    const args = [
      '--context',
      'member2',
      '-n',
      ns,
      'exec',
      'deploy/curl',
      '--',
      'curl',
      '-s',
      `http://${fqdn('nginx')}`,
    ];
    const r = await eventually(`kubectl ${args.join(' ')}`, async () => {
      const run = await kubectlRun(sb, args);
      assert.equal(run.code, 0, run.stderr);
      return run;
    });
    const name = answeredBy(r.stdout);
    assert.ok([...pods.values()].includes(name), `${name} is a pod of member1`);
  });

  it('answers A for a headless import with every ready address of the exporter, and no clusterset IP', async () => {
    const ips = [...pods.keys()];
    await eventually('the headless name resolves', async () =>
      assert.deepEqual(await resolve('A', fqdn('nginx-headless')), records(...ips)),
    );
  });

  it('answers each pod of a headless import by <hostname>.<cluster>.<svc>.<ns>.svc.clusterset.local', async () => {
    const [first, second] = [...pods.keys()].sort() as [string, string];
    const stateful = `${STATEFUL_HOSTNAME}.member1.${fqdn('nginx-headless')}`;
    const dashed = `${dashedAddress(second)}.member1.${fqdn('nginx-headless')}`;
    assert.deepEqual(await resolve('A', stateful), records(first));
    assert.deepEqual(await resolve('A', dashed), records(second));
    assert.deepEqual(await resolve('SRV', fqdn('nginx-headless')), records(`80 ${stateful}`, `80 ${dashed}`));
    // The name leads to that pod and no other: no kube-proxy in between.
    assert.equal(await curlName(dp, `http://${stateful}`), pods.get(first));
    assert.equal(await curlName(dp, `http://${dashed}`), pods.get(second));
    assert.deepEqual(await resolve('A', `${STATEFUL_HOSTNAME}.member2.${fqdn('nginx-headless')}`), NXDOMAIN);
  });

  it('answers NXDOMAIN for a Service that exists in member1 but is not exported, and curl cannot reach it', async () => {
    assert.deepEqual(await resolve('A', fqdn('hello')), NXDOMAIN);
    assert.deepEqual(await resolve('SRV', fqdn('hello')), NXDOMAIN);
    // As the conformance suite does: many tries, none may answer.
    for (let i = 0; i < 20; i++) {
      const r = await dp.curl([`http://${fqdn('hello')}`], 2);
      assert.equal(r.code, 6, `curl exit ${r.code} (6: could not resolve host): ${r.stdout}${r.stderr}`);
    }
  });

  it('forgets the name and the route once the import is withdrawn (the last exporter unexported)', async () => {
    const custom = member2().makeApiClient(CustomObjectsApi);
    await custom.deleteNamespacedCustomObject({ ...SERVICE_IMPORT, namespace: ns, name: 'nginx' });
    await member2()
      .makeApiClient(DiscoveryV1Api)
      .deleteNamespacedEndpointSlice({ namespace: ns, name: 'clusterset-member1-nginx-abcde' });
    await member2()
      .makeApiClient(CoreV1Api)
      .deleteNamespacedService({ namespace: ns, name: backingName('nginx') });
    await eventually(
      'the clusterset name is gone and the old clusterset IP answers no more',
      async () => {
        assert.deepEqual(await resolve('A', fqdn('nginx')), NXDOMAIN);
        const r = await dp.curl([`http://${clustersetIP}`], 2);
        assert.notEqual(r.code, 0, `the old clusterset IP still answered: ${r.stdout}`);
      },
      { timeoutMs: BOUND_MS },
    );
    // The headless import of the same pods is untouched.
    assert.equal((await resolve('A', fqdn('nginx-headless'))).ok, true);
  });

  it("removes CoreDNS's ClusterRole and binding from member2 with the rest of the data plane", async () => {
    await DataPlane.down(sb.layout.dir, { log: () => {} });
    const roles = await kubectl(sb, [
      '--context',
      'member2',
      'get',
      'clusterrole,clusterrolebinding',
      '-o',
      'name',
    ]);
    assert.doesNotMatch(roles, /system:coredns/);
  });
});
