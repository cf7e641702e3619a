/**
 * `<svc>.<ns>.svc.clusterset.local` end to end for Services exported by ServiceExport, the
 * syncer writing the ServiceImports, backing Services and EndpointSlices: from member2's curl
 * pod on the real data plane (test/dataplane/), A and SRV answer the ServiceImport's clusterset
 * IP and HTTP reaches member1's pods through kube-proxy; a headless export answers every pod and
 * each by its own name; member2's own Service of the same name, unexported, is never reached;
 * two exporters with different port names are each reached on their own port only; an
 * unexported Service is NXDOMAIN, and an unexport withdraws name and route. member2 runs nginx
 * pods of its own here. The conformance behaviours these stand for: docs/mcs-api.md. Needs root.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { DataPlane } from '../dataplane/dataplane.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { createNamespace, eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import { dashedAddress, SERVICE_EXPORT, SERVICE_IMPORT } from './harness/clusterset.ts';
import {
  clustersetDataPlane,
  curlName,
  NXDOMAIN,
  type PodsByIP,
  records,
} from './harness/clusterset-dataplane.ts';
import { ensureCrd, type SyncerUnderTest, startSyncer } from './harness/syncer.ts';

/** CoreDNS sees a change as soon as its informer does; kube-proxy within its minSyncPeriod (1 s). */
const BOUND_MS = 20_000;

describe('clusterset.local from member2 for Services exported by ServiceExport, the syncer writing the rest', () => {
  let sb: Sandbox;
  let dp: DataPlane;
  let syncer: SyncerUnderTest | undefined;
  const ns = uniqueName('csx');
  let cleanup = async () => {};
  let pods: PodsByIP = new Map();
  let member2Pods: PodsByIP = new Map();
  const fqdn = (name: string) => `${name}.${ns}.svc.clusterset.local`;
  const resolve = (type: 'A' | 'SRV', name: string) => dp.resolve(type, `${name}.`);
  const exportIn = (name: string, cluster: 'member1' | 'member2' = 'member1') =>
    sb
      .kubeConfig(cluster)
      .makeApiClient(CustomObjectsApi)
      .createNamespacedCustomObject({
        ...SERVICE_EXPORT,
        namespace: ns,
        body: { apiVersion: 'multicluster.x-k8s.io/v1beta1', kind: 'ServiceExport', metadata: { name } },
      });
  /** The clusterset IPs of member2's ServiceImport `name`, once the syncer gave it some. */
  const importedIPs = (name: string) =>
    eventually(`member2's ServiceImport ${name} with clusterset IPs`, async () => {
      const si = (await sb
        .kubeConfig('member2')
        .makeApiClient(CustomObjectsApi)
        .getNamespacedCustomObject({ ...SERVICE_IMPORT, namespace: ns, name })) as {
        spec?: { ips?: string[] };
      };
      assert.ok(si.spec?.ips?.length, `spec.ips of ${JSON.stringify(si.spec)}`);
      return si.spec.ips;
    });

  before(async () => {
    sb = await useSandbox();
    await ensureCrd(sb);
    cleanup = await createNamespace(sb, ns);
    ({ dp, pods, member2Pods } = await clustersetDataPlane(sb, ns, { member2Nginx: true }));
    const api = {
      member1: sb.kubeConfig('member1').makeApiClient(CoreV1Api),
      member2: sb.kubeConfig('member2').makeApiClient(CoreV1Api),
    };
    const http = { name: 'http', port: 80 };
    // member2 has a Service `web` of its own pods too, and does not export it. `multi`: member1
    // exports port 80 as `http`, member2 port 8080 as `http2`, both to its pods' 80.
    const services: [keyof typeof api, string, object][] = [
      ['member2', 'web', { ports: [http] }],
      ['member1', 'multi', { ports: [http] }],
      ['member2', 'multi', { ports: [{ name: 'http2', port: 8080, targetPort: 80 }] }],
      ['member1', 'web', { ports: [http] }],
      ['member1', 'web-headless', { clusterIP: 'None', ports: [http] }],
    ];
    for (const [cluster, name, spec] of services)
      await api[cluster].createNamespacedService({
        namespace: ns,
        body: { metadata: { name }, spec: { selector: { app: 'nginx' }, ...spec } },
      });
    syncer = await startSyncer(sb, 'syncer-dataplane-clusterset');
    await exportIn('web');
    await exportIn('web-headless');
    // The older export of `multi` is member1's, as in the conformance suite.
    await exportIn('multi');
    await importedIPs('multi');
    await exportIn('multi', 'member2');
  });

  after(async () => {
    await DataPlane.down(sb.layout.dir, { log: () => {} }).catch((err: Error) => {
      process.stderr.write(`dataplane cleanup: ${err.message}\n`);
    });
    await cleanup(); // while the syncer runs, so it withdraws what it wrote
    await syncer?.program.stop();
  });

  it("answers A and SRV with member2's ServiceImport, and reaches member1's pods through its clusterset IP", async () => {
    const ips = await importedIPs('web');
    await eventually('the clusterset name resolves', async () =>
      assert.deepEqual(await resolve('A', fqdn('web')), records(...ips)),
    );
    assert.deepEqual(await resolve('SRV', fqdn('web')), records(`80 ${fqdn('web')}`));
    const url = `http://${fqdn('web')}`;
    const seen = new Set<string>();
    await eventually(
      `both of member1's pods answer ${url}`,
      async () => {
        seen.add(await curlName(dp, url));
        assert.deepEqual([...seen].sort(), [...pods.values()].sort());
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    const remote = await dp.curl(['-o', '/dev/null', '-w', '%{remote_ip}', url]);
    assert.ok(ips.includes(remote.stdout), `curl connected to ${remote.stdout}, a clusterset IP`);
  });

  it('answers every pod of the exported headless Service, and each by its dashed address', async () => {
    const headless = fqdn('web-headless');
    await eventually('the headless name resolves to both pods', async () =>
      assert.deepEqual(await resolve('A', headless), records(...pods.keys())),
    );
    for (const [ip, name] of pods) {
      const own = `${dashedAddress(ip)}.member1.${headless}`;
      assert.deepEqual(await resolve('A', own), records(ip));
      assert.equal(await curlName(dp, `http://${own}`), name);
    }
  });

  it("reaches only the exporter's pods, though member2 has a Service of that name with pods of its own", async () => {
    const url = `http://${fqdn('web')}`;
    for (let i = 0; i < 10; i++) {
      const name = await curlName(dp, url);
      assert.ok([...pods.values()].includes(name), `${name} answered ${url}: not one of member1's pods`);
    }
  });

  it('routes each port of two exporters with different port names only to the cluster that exposes it', async () => {
    await eventually('the ServiceImport holds both ports', async () => {
      const si = (await sb
        .kubeConfig('member2')
        .makeApiClient(CustomObjectsApi)
        .getNamespacedCustomObject({ ...SERVICE_IMPORT, namespace: ns, name: 'multi' })) as {
        spec?: { ports?: { name?: string; port: number }[] };
      };
      assert.deepEqual(si.spec?.ports?.map((p) => `${p.name}/${p.port}`).sort(), ['http/80', 'http2/8080']);
    });
    for (const [port, from, cluster] of [
      [80, pods, 'member1'],
      [8080, member2Pods, 'member2'],
    ] as const) {
      const url = `http://${fqdn('multi')}:${port}`;
      await eventually(`${url} answers`, () => curlName(dp, url));
      for (let i = 0; i < 10; i++) {
        const name = await curlName(dp, url);
        assert.ok([...from.values()].includes(name), `${name} answered ${url}: not one of ${cluster}'s pods`);
      }
    }
  });

  it('answers NXDOMAIN for the Service member1 does not export', async () => {
    assert.deepEqual(await resolve('A', fqdn('hello')), NXDOMAIN);
  });

  it('forgets the name and the route once member1 unexports', async () => {
    const [ip] = await importedIPs('web');
    await sb
      .kubeConfig('member1')
      .makeApiClient(CustomObjectsApi)
      .deleteNamespacedCustomObject({ ...SERVICE_EXPORT, namespace: ns, name: 'web' });
    await eventually(
      'the clusterset name is gone and the old clusterset IP answers no more',
      async () => {
        assert.deepEqual(await resolve('A', fqdn('web')), NXDOMAIN);
        const r = await dp.curl([`http://${ip}`], 2);
        assert.notEqual(r.code, 0, `the old clusterset IP still answered: ${r.stdout}`);
      },
      { timeoutMs: BOUND_MS },
    );
  });
});
