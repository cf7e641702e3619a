/**
 * The Helm chart on the sandbox hub: `helm install` with every object accepted by the real
 * API server; the webhook and syncer run as local processes with the flags the chart
 * rendered, authenticated as the chart's ServiceAccount (a TokenRequest token), the members
 * as the identity member-rbac.yaml defines. Through them: self-managed TLS from an empty
 * Secret, a bad MCS refused at kubectl apply, the seed scenario, a near-expiry certificate
 * renewed without a restart; the ServiceAccount's RBAC proven sufficient and no wider; then
 * `helm upgrade` and `helm uninstall`. The webhooks only match this suite's namespace.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { generateCertificates } from '../../certs/generate.ts';
import { secretDataFromBundle } from '../../certs/plan.ts';
import { reliabilityCase } from '../reliability/case.ts';
import { MEMBERS } from '../sandbox/layout.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import {
  createAll,
  createNamespace,
  eventually,
  kubectl,
  loadFixture,
  uniqueName,
  useSandbox,
} from '../sandbox/testing.ts';
import { canI, servedCertificate } from './harness/chart.ts';
import { LocalRelease } from './harness/chart-release.ts';

const STEP = { timeout: 180_000 };
const MCS = { group: 'networking.karmada.io', version: 'v1alpha1', plural: 'multiclusterservices' };
const text = (base64: string | undefined) => Buffer.from(base64 ?? '', 'base64').toString('utf8');
const sameCert = (a: X509Certificate, pem: string) =>
  a.fingerprint256 === new X509Certificate(pem).fingerprint256;

describe('the Helm chart on the sandbox hub', () => {
  let sb: Sandbox;
  let rel: LocalRelease;
  const name = uniqueName('chart').slice(2); // chart-3f9a1c: objects are chart-3f9a1c-mcs-bridge…
  const ns = `t-${name}`; // the release namespace, on the hub
  const appNs = `${ns}-app`; // the Service, MCS and nginx, in every cluster
  const cleanups: (() => Promise<unknown>)[] = [];
  const hub = () => sb.kubeConfig('hub');
  const mcs = () => hub().makeApiClient(CustomObjectsApi);

  before(async () => {
    sb = await useSandbox();
    const dir = await mkdtemp(path.join(sb.layout.dir, `${name}-`));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    cleanups.push(await createNamespace(sb, appNs));
    cleanups.push(await createNamespace(sb, ns, ['hub']));
    rel = new LocalRelease(sb, name, ns, appNs, dir);
    cleanups.push(await rel.prepare());
  });

  after(async () => {
    // The webhook configurations go before the webhook stops: nothing is left calling it.
    await rel?.teardown().catch(() => undefined);
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });

  it('installs, and the hub accepts every object it renders', STEP, async () => {
    await rel.helm('install', rel.values());
    const objects = await rel.objects();
    for (const o of objects) await rel.read(o);
    assert.deepEqual(
      objects.map((o) => o.kind).sort(),
      // Two cluster roles: the syncer's own, and karmadaCoexistence.readWorks' (on by default).
      ['ClusterRole', 'ClusterRole', 'ClusterRoleBinding', 'ClusterRoleBinding', 'Deployment', 'Lease']
        .concat(['MutatingWebhookConfiguration', 'PodDisruptionBudget', 'Role', 'RoleBinding', 'Secret'])
        .concat(['Service', 'Service', 'ServiceAccount', 'ValidatingWebhookConfiguration']),
    );
    assert.deepEqual(await rel.tlsSecretData(), {}, 'the certificate Secret starts empty');
  });

  it(
    'runs as the chart ServiceAccount: the webhook fills the Secret and both caBundles, then serves',
    STEP,
    async () => {
      await rel.startPod('run1');
      const secret = await rel.tlsSecretData();
      assert.deepEqual(Object.keys(secret).sort(), ['ca.crt', 'ca.key', 'tls.crt', 'tls.key']);
      for (const w of await rel.webhooks())
        assert.equal(w.clientConfig.caBundle, secret['ca.crt'], `${w.name} trusts the CA`);
      const served = await servedCertificate(rel.ports.webhook, text(secret['ca.crt']));
      assert.ok(
        sameCert(served, text(secret['tls.crt'])),
        'the webhook serves the certificate of the Secret',
      );
    },
  );

  it('refuses a bad MultiClusterService at kubectl apply, through the webhook', STEP, async () => {
    const bad = JSON.stringify({
      ...mcsObject(appNs, 'bad'),
      spec: { types: ['CrossCluster', 'LoadBalancer'], providerClusters: [{ name: 'm'.repeat(49) }] },
    });
    await assert.rejects(kubectl(sb, ['apply', '-f', '-'], bad), (err: Error) => {
      assert.match(err.message, /admission webhook "multiclusterservice\.mcs-bridge\.io" denied the request/);
      assert.match(err.message, /spec\.types: .*should not contain more than one type/);
      assert.match(err.message, /spec\.providerClusters\[0\]\.name/);
      return true;
    });
  });

  it(
    'carries the seed scenario through the chart identity: member2 gets member1-* slices with member1 pod IPs',
    STEP,
    async () => {
      await createAll(sb, 'member1', appNs, await loadFixture('seed/nginx-deployment.yaml'));
      await createAll(sb, 'hub', appNs, await loadFixture('seed/nginx-service-mcs.yaml'));
      const stored = (await mcs().getNamespacedCustomObject({
        ...MCS,
        namespace: appNs,
        name: 'nginx',
      })) as KubernetesObject;
      assert.ok(
        stored.metadata?.labels?.['multiclusterservice.karmada.io/permanent-id'],
        'defaulted by the webhook',
      );
      const podIps = await eventually('2 nginx pods with IPs in member1', async () => {
        const pods = await sb
          .kubeConfig('member1')
          .makeApiClient(CoreV1Api)
          .listNamespacedPod({ namespace: appNs });
        const ips = pods.items.filter((p) => p.status?.phase === 'Running' && p.status.podIP);
        assert.equal(ips.length, 2);
        return ips.map((p) => p.status?.podIP).sort();
      });
      await eventually('member2 has the slices of member1', async () => {
        const slices = await sb
          .kubeConfig('member2')
          .makeApiClient(DiscoveryV1Api)
          .listNamespacedEndpointSlice({
            namespace: appNs,
            labelSelector:
              'endpointslice.kubernetes.io/managed-by=syncer.mcs-bridge.io,kubernetes.io/service-name=nginx',
          });
        assert.ok(slices.items.length > 0, 'a dispatched slice');
        for (const s of slices.items) assert.match(s.metadata?.name ?? '', /^member1-/);
        const ready = slices.items.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready);
        assert.deepEqual(ready.flatMap((e) => e.addresses).sort(), podIps);
      });
      await sb
        .kubeConfig('member2')
        .makeApiClient(CoreV1Api)
        .readNamespacedService({ namespace: appNs, name: 'nginx' });
      await eventually('both conditions True on the MCS', async () => {
        const got = (await mcs().getNamespacedCustomObject({ ...MCS, namespace: appNs, name: 'nginx' })) as {
          status?: { conditions?: { type: string; status: string }[] };
        };
        const status = Object.fromEntries((got.status?.conditions ?? []).map((c) => [c.type, c.status]));
        assert.deepEqual([status.ServiceApplied, status.EndpointSliceDispatched], ['True', 'True']);
      });
    },
  );

  // Some forty kubectl processes: the timeout is a bound that only catches a hang on a loaded machine.
  it('gives the ServiceAccount what the code calls and no more, and the programs met no refusal', {
    timeout: 600_000,
  }, async () => {
    reliabilityCase(
      'Security',
      'Least-privilege RBAC: chart ServiceAccount and member identity',
      "kubectl auth can-i both ways for the chart's ServiceAccount on the hub and for member-rbac.yaml's identity in each member (which the syncer runs the seed scenario as); neither program was ever refused",
    );
    const f = rel.fullname;
    const granted = [
      'list multiclusterservices.networking.karmada.io --all-namespaces',
      'watch services --all-namespaces',
      `patch multiclusterservices.networking.karmada.io --subresource=status -n ${appNs}`,
      `create events -n ${appNs}`,
      `update leases.coordination.k8s.io/${f}-syncer -n ${ns}`,
      `patch secrets/${f}-tls -n ${ns}`,
      `patch validatingwebhookconfigurations/${f}`,
      // Karmada's Works, to stand aside for Karmada's own MultiClusterService controllers.
      'watch works.work.karmada.io --all-namespaces',
    ];
    const refused = [
      `delete multiclusterservices.networking.karmada.io -n ${appNs}`,
      `update multiclusterservices.networking.karmada.io -n ${appNs}`,
      `create services -n ${appNs}`,
      `list secrets -n ${ns}`,
      `create secrets -n ${ns}`,
      `get secrets/members -n ${ns}`,
      'get secrets -n kube-system',
      `update leases.coordination.k8s.io/other -n ${ns}`,
      'patch validatingwebhookconfigurations/another-webhook',
      'list pods --all-namespaces',
      'list clusters.cluster.karmada.io',
      // Releasing Karmada's Works and bindings takes karmadaCoexistence.takeOver.
      'delete works.work.karmada.io -n karmada-es-member1',
      'patch works.work.karmada.io -n karmada-es-member1',
      `get resourcebindings.work.karmada.io -n ${appNs}`,
    ];
    for (const verb of granted)
      assert.equal(await canI(sb, rel.hubKubeconfig, verb.split(' ')), true, `can ${verb}`);
    for (const verb of refused)
      assert.equal(await canI(sb, rel.hubKubeconfig, verb.split(' ')), false, `cannot ${verb}`);
    for (const member of MEMBERS) {
      const can = (verb: string) =>
        canI(sb, rel.memberKubeconfig('run1'), ['--context', member, ...verb.split(' ')]);
      const memberGranted = [
        `create endpointslices.discovery.k8s.io -n ${appNs}`,
        `delete services -n ${appNs}`,
        'watch endpointslices.discovery.k8s.io --all-namespaces',
        'create namespaces',
        // The overlap check reads the member's own ranges, and only reads them.
        'list nodes',
        'watch nodes',
        'list servicecidrs.networking.k8s.io',
        'watch servicecidrs.networking.k8s.io',
        // The MCS API: users' exports are read, only their conditions written; imports are ours.
        'watch serviceexports.multicluster.x-k8s.io --all-namespaces',
        `update serviceexports.multicluster.x-k8s.io --subresource=status -n ${appNs}`,
        `create serviceimports.multicluster.x-k8s.io -n ${appNs}`,
        `delete serviceimports.multicluster.x-k8s.io -n ${appNs}`,
      ];
      const memberRefused = [
        `get secrets -n ${appNs}`,
        'delete namespaces',
        'patch namespaces',
        'get secrets --all-namespaces',
        'list pods --all-namespaces',
        `create endpoints -n ${appNs}`,
        'create serviceaccounts --subresource=token -n mcs-system',
        'create clusterrolebindings.rbac.authorization.k8s.io',
        'patch nodes',
        'get nodes --subresource=proxy',
        'create servicecidrs.networking.k8s.io',
        'delete servicecidrs.networking.k8s.io',
        `update serviceexports.multicluster.x-k8s.io -n ${appNs}`,
        `delete serviceexports.multicluster.x-k8s.io -n ${appNs}`,
      ];
      // Each check is a kubectl process: run them side by side.
      const answers = await Promise.all([...memberGranted, ...memberRefused].map(can));
      for (const [i, verb] of [...memberGranted, ...memberRefused].entries()) {
        const expected = i < memberGranted.length;
        assert.equal(
          answers[i],
          expected,
          `the member identity ${expected ? 'can' : 'cannot'} ${verb} in ${member}`,
        );
      }
    }
    for (const p of [rel.programs.webhook, rel.programs.syncer]) {
      assert.doesNotMatch(
        (await p?.tail(1000)) ?? '',
        /forbidden|HTTP 403|\(403\)/i,
        `${p?.name} was never refused`,
      );
    }
  });

  it('renews a certificate near expiry without a restart', STEP, async () => {
    const stored = await rel.tlsSecretData();
    const ca = { cert: text(stored['ca.crt']), key: text(stored['ca.key']) };
    const nearExpiry = await generateCertificates({
      ...{ service: `${rel.fullname}-webhook`, namespace: ns, ips: ['127.0.0.1'], keyType: 'ecdsa', ca },
      days: 3,
      now: new Date(Date.now() - 2.5 * 24 * 3600_000), // half a day left of three
    });
    const data = Object.entries(secretDataFromBundle(nearExpiry)).map(([k, v]) => [
      k,
      Buffer.from(v).toString('base64'),
    ]);
    const core = hub().makeApiClient(CoreV1Api);
    const secret = await core.readNamespacedSecret({ namespace: ns, name: `${rel.fullname}-tls` });
    await core.replaceNamespacedSecret({
      namespace: ns,
      name: `${rel.fullname}-tls`,
      body: { ...secret, data: Object.fromEntries(data) },
    });
    const pid = rel.programs.webhook?.pid;
    assert.ok(pid, 'the webhook runs');
    const served = await eventually(
      'a renewed certificate served',
      async () => {
        const renewed = text((await rel.tlsSecretData())['tls.crt']);
        assert.notEqual(renewed, nearExpiry.cert, 'the Secret holds a renewed certificate');
        const cert = await servedCertificate(rel.ports.webhook, ca.cert);
        assert.ok(sameCert(cert, renewed), 'and the webhook serves it');
        return cert;
      },
      { timeoutMs: 30_000 },
    );
    assert.ok(new Date(served.validTo).getTime() > Date.now() + 300 * 24 * 3600_000, 'for its full lifetime');
    assert.equal(rel.programs.webhook?.pid, pid);
    assert.equal(await rel.programs.webhook?.alive(), true, 'by the same process');
    assert.match((await rel.programs.webhook?.tail(300)) ?? '', /"action":"renewed"/);
  });

  it('upgrades with changed values, keeping the certificate and the caBundle', STEP, async () => {
    const before = await rel.tlsSecretData();
    await rel.helm(
      'upgrade',
      rel.values({ replicas: 3, syncer: { metricsPort: rel.ports.metrics, logLevel: 'debug' } }),
    );
    const d = await hub()
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: ns, name: rel.fullname });
    assert.equal(d.spec?.replicas, 3);
    assert.ok(
      d.spec?.template.spec?.containers.find((c) => c.name === 'syncer')?.args?.includes('--log-level=debug'),
    );
    assert.deepEqual(
      await rel.tlsSecretData(),
      before,
      'the upgrade left the Secret as the webhook wrote it',
    );
    for (const w of await rel.webhooks())
      assert.equal(w.clientConfig.caBundle, before['ca.crt'], `and the caBundle of ${w.name}`);
    // The upgraded flags run: a new round of both processes, which serves the stored certificate.
    await rel.stopPod();
    await rel.startPod('run2');
    assert.match((await rel.programs.webhook?.tail(100)) ?? '', /"action":"reused"/);
    const twoTypes = { ...mcsObject(appNs, 'two'), spec: { types: ['CrossCluster', 'LoadBalancer'] } };
    await assert.rejects(kubectl(sb, ['apply', '-f', '-'], JSON.stringify(twoTypes)), /denied the request/);
  });

  it(
    "prints and serves no token or private key: the ServiceAccount's, the members', the certificate Secret's",
    STEP,
    async () => {
      reliabilityCase(
        'Security',
        'No token or private key in the logs or metrics of the installed release',
        "Everything both rounds of the chart's webhook and syncer printed (self-managed TLS filling, renewing and reusing the Secret; the seed scenario with member tokens; debug logging) and both /metrics, searched for the ServiceAccount's and members' tokens and the Secret's tls.key and ca.key",
      );
      const metrics = await Promise.all(
        [rel.ports.health, rel.ports.metrics].map(async (port) => {
          const res = await fetch(`http://127.0.0.1:${port}/metrics`);
          assert.equal(res.status, 200);
          return [`/metrics on port ${port}`, await res.text()] as const;
        }),
      );
      const texts = new Map([...(await rel.logs()), ...metrics]);
      assert.ok(texts.size >= 6, `two rounds of logs and two metrics pages: ${[...texts.keys()].join(', ')}`);
      const secrets = await rel.secrets();
      assert.equal(secrets.size, 1 + MEMBERS.length + 2);
      for (const [what, secret] of secrets) {
        for (const [where, text] of texts) assert.ok(!text.includes(secret), `${what} is in ${where}`);
      }
    },
  );

  it('uninstalls everything but the CRD, and leaves no webhook configuration behind', STEP, async () => {
    const objects = await rel.objects();
    await mcs().deleteNamespacedCustomObject({ ...MCS, namespace: appNs, name: 'nginx' });
    await eventually('the syncer withdrew the MCS and released it', async () => {
      const slices = await sb
        .kubeConfig('member2')
        .makeApiClient(DiscoveryV1Api)
        .listNamespacedEndpointSlice({ namespace: appNs });
      assert.deepEqual(
        slices.items.filter((s) => s.metadata?.name?.startsWith('member1-')),
        [],
      );
      await assert.rejects(
        mcs().getNamespacedCustomObject({ ...MCS, namespace: appNs, name: 'nginx' }),
        /404|not found/i,
      );
    });
    await rel.teardown();
    for (const o of objects) {
      await assert.rejects(
        rel.read(o),
        (err: { code?: number }) => err.code === 404,
        `${o.kind} ${o.metadata?.name} is gone`,
      );
    }
    const admission = hub().makeApiClient(AdmissionregistrationV1Api);
    const left = [
      ...(await admission.listMutatingWebhookConfiguration()).items,
      ...(await admission.listValidatingWebhookConfiguration()).items,
    ].filter((c) => c.metadata?.name?.startsWith(name));
    assert.deepEqual(left, [], 'no webhook configuration of the release');
    await mcs().listClusterCustomObject({ ...MCS, limit: 1 }); // the CRD stays, and with it the API
  });
});

function mcsObject(namespace: string, name: string) {
  return {
    apiVersion: 'networking.karmada.io/v1alpha1',
    kind: 'MultiClusterService',
    metadata: { name, namespace },
  };
}
