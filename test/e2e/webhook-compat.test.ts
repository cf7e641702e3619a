/**
 * Compatibility edges of the webhook on the hub's real API server, driven with the sandbox's
 * kubectl: deprecated fields holding names Karmada never checked (an object stored under Karmada
 * stays writable, with warnings), bad values shown as Kubernetes shows them, and the columns of
 * `kubectl get mcs`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  BYPASS_LABEL,
  ensureMcsCrd,
  kubectlRun,
  mcsManifest as mcs,
  mutatingConfiguration,
  NAMESPACE_LABEL,
  runCleanup,
  startWebhook,
  validatingConfiguration,
  type WebhookUnderTest,
  webhookTeardown,
} from './harness/webhook.ts';

const PERMANENT_ID = 'multiclusterservice.karmada.io/permanent-id';
const FORTY_NINE = 'k'.repeat(49);
const TEST_TIMEOUT = { timeout: 120_000 };
const DNS1123 =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe('compatibility edges on a real API server', () => {
  let sb: Sandbox;
  let w: WebhookUnderTest | undefined;
  let admission: AdmissionregistrationV1Api;
  const ns = uniqueName('compat');

  const apply = (manifest: string) => kubectlRun(sb, ['apply', '-n', ns, '-f', '-'], manifest);
  const stored = async (name: string) =>
    (await sb.kubeConfig('hub').makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: 'networking.karmada.io',
      version: 'v1alpha1',
      plural: 'multiclusterservices',
      namespace: ns,
      name,
    })) as { metadata: { labels?: Record<string, string> }; spec: Record<string, unknown> };
  /** The Warning lines kubectl printed, without their prefix. */
  const warningsOf = (stderr: string) =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('Warning: '))
      .map((l) => l.slice('Warning: '.length));

  before(async () => {
    sb = await useSandbox();
    admission = sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
    await ensureMcsCrd(sb);
    await sb
      .kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: ns, labels: { [NAMESPACE_LABEL]: ns } } } });
    w = await startWebhook(sb, 'webhook-compat', ns);
    await admission.createMutatingWebhookConfiguration({ body: mutatingConfiguration(w.endpoint) });
    await admission.createValidatingWebhookConfiguration({ body: validatingConfiguration(w.endpoint) });
    await eventually(
      'both webhooks are in effect',
      async () => {
        const probe = await kubectlRun(
          sb,
          ['apply', '-n', ns, '--dry-run=server', '-o', 'json', '-f', '-'],
          mcs('probe', { types: ['CrossCluster'], ports: [{ port: 0 }] }),
        );
        assert.match(probe.stderr, /denied the request/, 'validated');
        const good = await kubectlRun(
          sb,
          ['apply', '-n', ns, '--dry-run=server', '-o', 'json', '-f', '-'],
          mcs('probe', { types: ['CrossCluster'] }),
        );
        assert.ok(JSON.parse(good.stdout).metadata.labels?.[PERMANENT_ID], 'mutated');
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
    'admits a new MCS with a 49-character name in a deprecated field, warning about it, as Karmada admits it',
    TEST_TIMEOUT,
    async () => {
      const r = await apply(
        mcs('new-deprecated', {
          types: ['CrossCluster'],
          serviceProvisionClusters: [FORTY_NINE],
          range: { clusterNames: ['member2'] },
        }),
      );
      assert.equal(r.code, 0, r.stderr);
      // Beside these, the lookups warn that there is no Service new-deprecated: not the point here.
      assert.deepEqual(
        warningsOf(r.stderr).filter((w) => w.startsWith('spec.')),
        [
          "spec.serviceProvisionClusters is deprecated and was removed: none of its names can be a cluster's, so spec.providerClusters stays empty and every cluster provides, as under Karmada",
          `spec.serviceProvisionClusters[0]: "${FORTY_NINE}" cannot be a cluster's name (must be no more than 48 characters), so mcs-bridge leaves it out`,
          'spec.range.clusterNames is deprecated and Karmada ignores it: Karmada served this MultiClusterService to every cluster, but mcs-bridge moved its names into spec.consumerClusters and serves it only to "member2" (to serve every cluster again, remove spec.consumerClusters)',
        ],
      );
      assert.deepEqual((await stored('new-deprecated')).spec, {
        types: ['CrossCluster'],
        consumerClusters: [{ name: 'member2' }],
      });
    },
  );

  it(
    'lets a label-only UPDATE through for an MCS stored under Karmada with bad names in every deprecated field',
    TEST_TIMEOUT,
    async () => {
      // As Karmada's chain stores it: its permanent id and `range: {}` beside the fields it never read.
      // The bypass label keeps our webhooks out of this first write; removing it is the label-only UPDATE.
      const spec = {
        types: ['CrossCluster'],
        serviceProvisionClusters: [FORTY_NINE],
        serviceConsumptionClusters: ['Member2'],
        range: { clusterNames: ['h\x01'] },
      };
      const labels = { [PERMANENT_ID]: '2d3c4b5a-6978-4a1b-8c2d-3e4f5a6b7c8d', [BYPASS_LABEL]: 'true' };
      const created = await apply(mcs('karmada-stored', spec, labels));
      assert.equal(created.code, 0, created.stderr);
      assert.deepEqual((await stored('karmada-stored')).spec, spec, 'stored as Karmada stored it');

      const r = await kubectlRun(sb, ['label', 'mcs', 'karmada-stored', '-n', ns, `${BYPASS_LABEL}-`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /unlabeled/);
      assert.deepEqual(warningsOf(r.stderr), [
        "spec.serviceProvisionClusters is deprecated and was removed: none of its names can be a cluster's, so spec.providerClusters stays empty and every cluster provides, as under Karmada",
        `spec.serviceProvisionClusters[0]: "${FORTY_NINE}" cannot be a cluster's name (must be no more than 48 characters), so mcs-bridge leaves it out`,
        "spec.serviceConsumptionClusters and spec.range.clusterNames are deprecated and were removed: none of their names can be a cluster's, so spec.consumerClusters stays empty and every cluster consumes, as under Karmada",
        `spec.serviceConsumptionClusters[0]: "Member2" cannot be a cluster's name (${DNS1123}), so mcs-bridge leaves it out`,
        `spec.range.clusterNames[0]: "h\\x01" cannot be a cluster's name (${DNS1123}), so mcs-bridge leaves it out`,
      ]);
      const after = await stored('karmada-stored');
      assert.deepEqual(after.spec, { types: ['CrossCluster'] }, 'every cluster, as under Karmada');
      assert.equal(after.metadata.labels?.[PERMANENT_ID], labels[PERMANENT_ID], 'the id is kept');

      const again = await kubectlRun(sb, ['label', 'mcs', 'karmada-stored', '-n', ns, 'team=web']);
      assert.equal(again.code, 0, again.stderr);
      assert.deepEqual(warningsOf(again.stderr), [], 'nothing left to say');
    },
  );

  it(
    'shows a bad value in a refusal as Kubernetes does: in a name control characters and U+2028 escaped and < kept, in a type or a list < escaped',
    TEST_TIMEOUT,
    async () => {
      const r = await apply(
        mcs('bad-name', { types: ['CrossCluster'], providerClusters: [{ name: 'h\x01<\u2028' }] }),
      );
      assert.notEqual(r.code, 0);
      assert.ok(
        r.stderr.includes(`spec.providerClusters[0].name: Invalid value: "h\\x01<\\u2028": ${DNS1123}`),
        r.stderr,
      );
      const list = await apply(mcs('bad-types', { types: ['CrossCluster', '<LB>'] }));
      // Karmada's ExposureType is a named string type, which apimachinery shows with json.Marshal.
      assert.ok(
        list.stderr.includes('spec.types[1]: Invalid value: "\\u003cLB\\u003e": ExposureType Error'),
        list.stderr,
      );
      assert.ok(
        list.stderr.includes(
          'spec.types: Invalid value: ["CrossCluster","\\u003cLB\\u003e"]: MultiClusterService types should not contain more than one type',
        ),
        `a list is shown as Go's json.Marshal writes it: ${list.stderr}`,
      );
    },
  );

  it('lists MultiClusterServices in kubectl get with cluster names, not JSON', TEST_TIMEOUT, async () => {
    const seed = await apply(
      mcs('seed', {
        types: ['CrossCluster'],
        providerClusters: [{ name: 'member1' }],
        consumerClusters: [{ name: 'member2' }],
      }),
    );
    assert.equal(seed.code, 0, seed.stderr);
    const two = await apply(
      mcs('two', { types: ['CrossCluster'], providerClusters: [{ name: 'member1' }, { name: 'member3' }] }),
    );
    assert.equal(two.code, 0, two.stderr);

    const rows = async (...flags: string[]) => {
      const r = await kubectlRun(sb, ['get', 'mcs', 'seed', 'two', '-n', ns, ...flags]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout
        .trimEnd()
        .split('\n')
        .map((line) => line.split(/\s{2,}/));
    };
    const table = await rows();
    assert.deepEqual(table[0], ['NAME', 'TYPES', 'PROVIDERS', 'CONSUMERS', 'READY', 'AGE']);
    assert.deepEqual(table[1]?.slice(0, 4), ['seed', 'CrossCluster', 'member1', 'member2']);
    assert.deepEqual(
      table[2]?.slice(0, 3),
      ['two', 'CrossCluster', 'member1'],
      'a list of several shows its first',
    );
    assert.doesNotMatch(table.flat().join(' '), /[[{"]/, 'no JSON in the default columns');

    const wide = await rows('-o', 'wide');
    assert.deepEqual(wide[0]?.slice(-2), ['ALL PROVIDERS', 'ALL CONSUMERS']);
    assert.deepEqual(
      wide[2]?.slice(-1),
      ['[{"name":"member1"},{"name":"member3"}]'],
      '-o wide shows every name',
    );
  });
});
