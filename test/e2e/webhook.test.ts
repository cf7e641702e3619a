/**
 * The webhook on the sandbox hub's real kube-apiserver: a local webhook process with a certificate
 * from our certs library, registered with Mutating- and ValidatingWebhookConfigurations limited to
 * this suite's namespace, driven with the sandbox's kubectl.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { writeCertificateFiles } from '../../certs/files.ts';
import { issueServingCertificate } from '../../certs/generate.ts';
import { REPO_ROOT, type Sandbox } from '../sandbox/sandbox.ts';
import { eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  WRONG_FOUR_WAYS as BAD,
  WRONG_FOUR_WAYS_ERRORS as BAD_FIELDS,
  BYPASS_LABEL,
  ensureMcsCrd,
  kubectlRun,
  mcsManifest as mcs,
  mutatingConfiguration,
  NAMESPACE_LABEL,
  postJson,
  runCleanup,
  servedSerial,
  startWebhook,
  validatingConfiguration,
  type WebhookUnderTest,
  webhookTeardown,
} from './harness/webhook.ts';

const PERMANENT_ID = 'multiclusterservice.karmada.io/permanent-id';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TEST_TIMEOUT = { timeout: 120_000 };

describe('the webhook on a real API server', () => {
  let sb: Sandbox;
  let w: WebhookUnderTest | undefined;
  const ns = uniqueName('webhook');
  let admission: AdmissionregistrationV1Api;
  let custom: CustomObjectsApi;

  const apply = (manifest: string, ...flags: string[]) =>
    kubectlRun(sb, ['apply', '-n', ns, ...flags, '-f', '-'], manifest);
  const stored = async (name: string) =>
    (await custom.getNamespacedCustomObject({
      group: 'networking.karmada.io',
      version: 'v1alpha1',
      plural: 'multiclusterservices',
      namespace: ns,
      name,
    })) as { metadata: { labels?: Record<string, string> }; spec: { types: string[] } };
  const assertNotStored = async (name: string) => {
    const r = await kubectlRun(sb, ['get', 'mcs', name, '-n', ns]);
    assert.match(r.stderr, /NotFound/, `MultiClusterService ${name} should not exist: ${r.stdout}`);
  };
  const assertNamesEachField = (stderr: string) => {
    assert.match(stderr, new RegExp(`admission webhook "validate\\.${ns}\\.mcs-bridge\\.io" denied`));
    for (const field of BAD_FIELDS)
      assert.ok(stderr.includes(field), `kubectl names ${field}; it said:\n${stderr}`);
  };

  before(async () => {
    sb = await useSandbox();
    admission = sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
    custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
    await ensureMcsCrd(sb);
    await sb
      .kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: ns, labels: { [NAMESPACE_LABEL]: ns } } } });

    w = await startWebhook(sb, 'webhook-e2e', ns);
    const { endpoint, program } = w;

    await admission.createMutatingWebhookConfiguration({ body: mutatingConfiguration(endpoint) });
    await admission.createValidatingWebhookConfiguration({ body: validatingConfiguration(endpoint) });
    // The API server picks up new configurations from a watch; wait until both are called.
    await eventually(
      'both webhooks are in effect',
      async () => {
        const probe = await apply(
          mcs('probe', { providerClusters: [{ name: 'member1' }] }),
          '--dry-run=server',
          '-o',
          'json',
        );
        assert.equal(probe.code, 0, probe.stderr);
        assert.match(JSON.parse(probe.stdout).metadata.labels?.[PERMANENT_ID] ?? '', UUID, 'mutated');
        const bad = await apply(BAD, '--dry-run=server');
        assert.match(bad.stderr, /denied the request/, `validated; webhook log:\n${await program.tail()}`);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  after(async () => {
    if (!admission) return; // the sandbox was never reached: nothing was created
    const problems = await runCleanup([
      ...webhookTeardown(admission, w, ns),
      [
        'delete the namespace',
        () => sb.kubeConfig('hub').makeApiClient(CoreV1Api).deleteNamespace({ name: ns }),
      ],
    ]);
    assert.deepEqual(problems, [], 'the suite cleaned up after itself');
  });

  it(
    "admits the seed's MultiClusterService and labels it with a permanent id, kept on later updates",
    TEST_TIMEOUT,
    async () => {
      const seed = await readFile(path.join(REPO_ROOT, 'test/fixtures/seed/nginx-service-mcs.yaml'), 'utf8');
      const r = await apply(seed);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /multiclusterservice\.networking\.karmada\.io\/nginx created/);
      assert.doesNotMatch(r.stderr, /Warning/, 'the Service exists and both clusters are members');
      const created = await stored('nginx');
      const id = created.metadata.labels?.[PERMANENT_ID] ?? '';
      assert.match(id, UUID);
      assert.deepEqual(created.spec, {
        types: ['CrossCluster'],
        consumerClusters: [{ name: 'member2' }],
        providerClusters: [{ name: 'member1' }],
      });
      const labelled = await kubectlRun(sb, ['label', 'mcs', 'nginx', '-n', ns, 'team=web']);
      assert.equal(labelled.code, 0, labelled.stderr);
      assert.equal((await stored('nginx')).metadata.labels?.[PERMANENT_ID], id, 'the id is never replaced');
    },
  );

  it(
    'refuses a MultiClusterService wrong in four ways, and kubectl names each field',
    TEST_TIMEOUT,
    async () => {
      const r = await apply(BAD);
      assert.notEqual(r.code, 0, 'kubectl apply fails');
      assertNamesEachField(r.stderr);
      await assertNotStored('bad');
    },
  );

  it(
    'refuses the same under --dry-run=server, and stores nothing for a valid one',
    TEST_TIMEOUT,
    async () => {
      const bad = await apply(BAD, '--dry-run=server');
      assert.notEqual(bad.code, 0);
      assertNamesEachField(bad.stderr);

      const good = await apply(mcs('dry', { types: ['CrossCluster'] }), '--dry-run=server', '-o', 'json');
      assert.equal(good.code, 0, good.stderr);
      assert.match(JSON.parse(good.stdout).metadata.labels[PERMANENT_ID], UUID, 'the dry run was defaulted');
      await assertNotStored('dry');
    },
  );

  it(
    'refuses an UPDATE that changes spec.types, and lets one through that repeats the same type',
    TEST_TIMEOUT,
    async () => {
      const spec = { providerClusters: [{ name: 'member1' }] };
      const created = await apply(mcs('immutable', { ...spec, types: ['CrossCluster'] }));
      assert.equal(created.code, 0, created.stderr);

      const changed = await apply(mcs('immutable', { ...spec, types: ['LoadBalancer'] }));
      assert.notEqual(changed.code, 0, 'the change of type is refused');
      assert.ok(
        changed.stderr.includes(
          'spec.types: Invalid value: ["CrossCluster"]: MultiClusterService types are immutable',
        ),
        changed.stderr,
      );
      assert.deepEqual((await stored('immutable')).spec.types, ['CrossCluster']);

      const same = await apply(mcs('immutable', { ...spec, types: ['CrossCluster', 'CrossCluster'] }));
      assert.equal(same.code, 0, same.stderr);
      assert.deepEqual((await stored('immutable')).spec.types, ['CrossCluster', 'CrossCluster']);
    },
  );

  it('does not count a reorder of the types as a change of types', TEST_TIMEOUT, async () => {
    // Two types can only be stored past the webhook (as before it was installed); a reorder is
    // then refused for holding two types, never for changing them.
    const stale = await apply(
      mcs('stale', { types: ['CrossCluster', 'LoadBalancer'] }, { [BYPASS_LABEL]: 'true' }),
    );
    assert.equal(stale.code, 0, stale.stderr);
    const reordered = await apply(mcs('stale', { types: ['LoadBalancer', 'CrossCluster'] }));
    assert.notEqual(reordered.code, 0);
    assert.match(
      reordered.stderr,
      /spec\.types: Invalid value: \["LoadBalancer","CrossCluster"\]: MultiClusterService types should not contain more than one type/,
    );
    assert.doesNotMatch(reordered.stderr, /immutable/);
  });

  it(
    'warns, from the hub and the member list, about a missing Service and an unknown cluster',
    TEST_TIMEOUT,
    async () => {
      const r = await apply(
        mcs('orphan', { types: ['CrossCluster'], providerClusters: [{ name: 'member3' }] }),
      );
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stderr.includes(`Warning: no Service "orphan" in namespace "${ns}"`), r.stderr);
      assert.ok(
        r.stderr.includes(
          'Warning: spec.providerClusters[0].name: cluster "member3" is not a known member cluster',
        ),
        r.stderr,
      );
    },
  );

  it(
    'serves a certificate rotated on disk without a restart or a dropped connection',
    TEST_TIMEOUT,
    async () => {
      assert.ok(w, 'the webhook runs');
      const { endpoint, bundle, certDir, healthPort, program, request } = w;
      const url = `https://127.0.0.1:${endpoint.port}/validate-multiclusterservice`;
      const review = (uid: string) => ({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: {
          uid,
          kind: { group: 'networking.karmada.io', version: 'v1alpha1', kind: 'MultiClusterService' },
          operation: 'CREATE',
          namespace: ns,
          object: JSON.parse(mcs('kept', { types: ['CrossCluster'] })),
        },
      });
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ca: bundle.caCert });
      try {
        const first = await postJson(agent, url, review('before-rotation'));
        assert.equal(first.status, 200, first.body);
        const oldSerial = await servedSerial(endpoint.port, bundle.caCert);
        assert.equal(first.serial, oldSerial);

        // A new serving certificate from the same CA: the caBundle stays as it is.
        const ca = { cert: bundle.caCert, key: bundle.caKey };
        const serving = await issueServingCertificate(ca, request, new Date());
        await writeCertificateFiles(certDir, { ...bundle, ...serving });
        const expected = new X509Certificate(serving.cert).serialNumber;
        assert.notEqual(expected, oldSerial);
        await eventually(
          'the new certificate is served',
          async () => assert.equal(await servedSerial(endpoint.port, bundle.caCert), expected),
          { timeoutMs: 20_000 },
        );

        const kept = await postJson(agent, url, review('after-rotation'));
        assert.equal(kept.status, 200, kept.body);
        assert.equal(JSON.parse(kept.body).response.uid, 'after-rotation');
        assert.ok(kept.reusedSocket, 'the connection opened before the rotation still answers');
        assert.equal(kept.serial, oldSerial, 'with the certificate it was opened with');
      } finally {
        agent.destroy();
      }

      assert.ok(await program.alive(), `the same process (pid ${program.pid}) still runs`);
      const metrics = await fetch(`http://127.0.0.1:${healthPort}/metrics`).then((res) => res.text());
      assert.match(
        metrics,
        /^mcs_bridge_webhook_certificate_reloads_total\{result="success"\} 2$/m,
        'loaded twice, never restarted',
      );
      const admitted = await apply(
        mcs('after-rotation', { types: ['CrossCluster'], providerClusters: [{ name: 'member1' }] }),
      );
      assert.equal(admitted.code, 0, admitted.stderr);
      assert.match((await stored('after-rotation')).metadata.labels?.[PERMANENT_ID] ?? '', UUID);
      const refused = await apply(BAD);
      assertNamesEachField(refused.stderr);
    },
  );
});
