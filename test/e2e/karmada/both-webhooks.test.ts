/**
 * Karmada's webhook (registered by the sandbox as Karmada ships it, for every namespace) and
 * mcs-bridge's (registered for this suite's namespace) in one API server chain: the seed's MCS
 * is admitted by both, and each bad MCS is refused every time. The API server calls the
 * validating webhooks of a request in parallel and reports one denial: the suite records whose
 * message the user saw, and checks that it names the bad field either way.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { eventually, loadFixture, uniqueName, useSandbox } from '../../sandbox/testing.ts';
import {
  kubectlRun,
  mcsManifest,
  mutatingConfiguration,
  NAMESPACE_LABEL,
  startWebhook,
  validatingConfiguration,
  type WebhookUnderTest,
} from '../harness/webhook.ts';

const STEP = { timeout: 180_000 };
const KARMADA_HOOK = 'multiclusterservice.karmada.io';
const PERMANENT_ID = 'multiclusterservice.karmada.io/permanent-id';
/** How often each bad MCS is sent: the refusal must not depend on which webhook answers first. */
const TRIES = 5;

/**
 * Bad MCSs both webhooks refuse, and the field each denial must name (`karmadaField` where
 * Karmada's webhook names it otherwise).
 */
const BAD: { name: string; manifest: string; field: string; karmadaField?: string }[] = [
  {
    name: 'two types',
    manifest: mcsManifest('bad-types', { types: ['CrossCluster', 'LoadBalancer'] }),
    field: 'spec.types',
  },
  {
    name: 'a port beyond 65535',
    manifest: mcsManifest('bad-port', { types: ['CrossCluster'], ports: [{ name: 'http', port: 70000 }] }),
    field: 'spec.ports[0].port',
  },
  {
    name: 'a provider name of 49 characters',
    manifest: mcsManifest('bad-name', {
      types: ['CrossCluster'],
      providerClusters: [{ name: 'c'.repeat(49) }],
    }),
    field: 'spec.providerClusters[0].name',
    // Karmada v1.18.2 reports its provider names under a path that does not exist.
    karmadaField: 'spec.range.providerClusters[0]',
  },
];

describe("Karmada's webhook and mcs-bridge's in one chain", () => {
  let sb: Sandbox;
  let admission: AdmissionregistrationV1Api;
  let w: WebhookUnderTest | undefined;
  const ns = uniqueName('kboth');
  const ours = `validate.${ns}.mcs-bridge.io`;
  const kubectl = (args: string[], input?: string) => kubectlRun(sb, ['-n', ns, ...args], input);
  /** How many CREATEs our validating webhook has refused, from its metrics. */
  const ourDenials = async () => {
    const text = await (await fetch(`http://127.0.0.1:${w?.healthPort}/metrics`)).text();
    const series = 'mcs_bridge_webhook_requests_total{webhook="validate",operation="CREATE",result="denied"}';
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line ? Number(line.split(' ')[1]) : 0;
  };

  before(async () => {
    sb = await useSandbox();
    assert.ok(sb.karmada, 'the sandbox runs Karmada (make test-e2e starts it with --karmada)');
    admission = sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
    const karmada = await admission.readValidatingWebhookConfiguration({ name: 'validating-config' });
    assert.ok(
      karmada.webhooks?.some((h) => h.name === KARMADA_HOOK),
      "Karmada's validating webhook for MultiClusterService is registered",
    );
    await sb
      .kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .createNamespace({ body: { metadata: { name: ns, labels: { [NAMESPACE_LABEL]: ns } } } });
    w = await startWebhook(sb, `${ns}-webhook`, ns);
    await admission.createMutatingWebhookConfiguration({ body: mutatingConfiguration(w.endpoint) });
    await admission.createValidatingWebhookConfiguration({ body: validatingConfiguration(w.endpoint) });
    // The API server picks configurations up from a watch: wait until ours is called.
    await eventually(
      'our webhook is in the chain',
      async () => {
        const before = await ourDenials();
        const r = await kubectl(['create', '--dry-run=server', '-f', '-'], BAD[0]?.manifest);
        assert.notEqual(r.code, 0);
        assert.equal(await ourDenials(), before + 1, 'our webhook refused it too');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  after(async () => {
    // In this order: a failurePolicy-Fail webhook whose process is gone refuses every write it matches.
    await admission?.deleteMutatingWebhookConfiguration({ name: ns }).catch(() => undefined);
    await admission?.deleteValidatingWebhookConfiguration({ name: ns }).catch(() => undefined);
    await w?.program.stop();
    await sb
      ?.kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: ns })
      .catch(() => undefined);
    if (w) await rm(w.certDir, { recursive: true, force: true });
  });

  it("admits the seed's MCS through both, and a label-only update of it", STEP, async () => {
    // The seed's Service and MCS, as the guide applies them.
    const seed = await loadFixture('seed-karmada/nginx-service-mcs.yaml');
    const created = await kubectl(
      ['create', '-f', '-', '-o', 'name'],
      JSON.stringify({ kind: 'List', apiVersion: 'v1', items: seed }),
    );
    assert.equal(created.code, 0, created.stderr);
    const labelled = await kubectl(['label', 'mcs', 'nginx', 'team=web']);
    assert.equal(labelled.code, 0, labelled.stderr);
    const got = await kubectl(['get', 'mcs', 'nginx', '-o', 'json']);
    const mcs = JSON.parse(got.stdout) as { metadata: { labels?: Record<string, string> }; spec: object };
    assert.ok(mcs.metadata.labels?.[PERMANENT_ID], 'a permanent id from the mutating webhooks');
    assert.equal(mcs.metadata.labels?.team, 'web');
    assert.deepEqual(mcs.spec, {
      types: ['CrossCluster'],
      providerClusters: [{ name: 'member1' }],
      consumerClusters: [{ name: 'member2' }],
    });
  });

  for (const bad of BAD) {
    it(`refuses an MCS with ${bad.name} every time, naming ${bad.field}`, STEP, async () => {
      const seen: string[] = [];
      const messages = new Map<string, string>();
      const before = await ourDenials();
      for (let i = 0; i < TRIES; i++) {
        const r = await kubectl(['create', '--dry-run=server', '-f', '-'], bad.manifest);
        assert.notEqual(r.code, 0, `try ${i + 1} was admitted: ${r.stdout}`);
        const who = /admission webhook "([^"]+)" denied the request/.exec(r.stderr)?.[1];
        assert.ok(who === KARMADA_HOOK || who === ours, `a denial by one of the two webhooks: ${r.stderr}`);
        const field = who === KARMADA_HOOK ? (bad.karmadaField ?? bad.field) : bad.field;
        assert.ok(r.stderr.includes(`${field}: Invalid value`), `the denial names ${field}: ${r.stderr}`);
        seen.push(who === ours ? 'mcs-bridge' : 'Karmada');
        messages.set(who, r.stderr.trim());
      }
      // Both were asked and both refused, whichever message the user saw.
      assert.equal(await ourDenials(), before + TRIES, "mcs-bridge's webhook refused every try");
      console.log(`${bad.name}: denials shown by ${seen.join(', ')}\n${[...messages.values()].join('\n')}`);
    });
  }
});
