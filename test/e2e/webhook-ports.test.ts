/**
 * spec.ports[i].port through the hub's real API server: each literal is sent byte for byte
 * (`kubectl create --raw`), and the suite records what the API server makes of it on its own
 * (our CRD, no webhook), what it sends to a mutating webhook (a recorder), what our two routes and
 * Karmada's own webhooks (test/go-oracle/karmada) answer to that very body, and what the whole
 * chain with our webhooks stores or refuses.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AdmissionregistrationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { eventually, uniqueName, useSandbox } from '../sandbox/testing.ts';
import {
  askKarmada,
  KARMADA_ORACLE_TIMEOUT_MS,
  karmadaAccepts,
  karmadaRefusal,
} from './harness/karmada-oracle.ts';
import {
  RECORDED,
  type RecordingWebhook,
  recordingConfiguration,
  startRecordingWebhook,
} from './harness/recording-webhook.ts';
import {
  BYPASS_LABEL,
  type CleanupStep,
  ensureMcsCrd,
  kubectlRun,
  mutatingConfiguration,
  NAMESPACE_LABEL,
  postRaw,
  runCleanup,
  startWebhook,
  validatingConfiguration,
  type WebhookUnderTest,
  webhookTeardown,
} from './harness/webhook.ts';

const INT32 = 'must be a 32-bit integer (format int32: -2147483648 to 2147483647)';
const RANGE = 'must be between 1 and 65535, inclusive';
const NOT_INTEGER = (type: string) =>
  `spec.ports[0].port: Invalid value: "${type}": spec.ports[0].port in body must be of type integer: "${type}"`;

/** Stored with this port, or refused with a message containing this text. */
type Outcome = { stored: number } | { refused: string };

const CASES: {
  literal: string;
  /** The literal in the body the API server sends to webhooks. */
  reaches: string;
  /** The API server alone (our CRD's schema, no webhook). */
  apiServer: Outcome;
  /** Our two routes on what reaches them: both allow, only the validating one refuses, or both refuse. */
  routes: 'both allow' | { validateRefuses: string } | { bothRefuse: string };
  karmada: 'accepts' | 'refuses';
  /** The API server with our webhooks. */
  chain: Outcome;
}[] = [
  {
    literal: '80',
    reaches: '80',
    apiServer: { stored: 80 },
    routes: 'both allow',
    karmada: 'accepts',
    chain: { stored: 80 },
  },
  {
    literal: '80.0',
    reaches: '80',
    apiServer: { stored: 80 },
    routes: 'both allow',
    karmada: 'accepts',
    chain: { stored: 80 },
  },
  {
    literal: '1e3',
    reaches: '1000',
    apiServer: { stored: 1000 },
    routes: 'both allow',
    karmada: 'accepts',
    chain: { stored: 1000 },
  },
  {
    literal: '80.5',
    reaches: '80.5',
    apiServer: { refused: NOT_INTEGER('number') },
    routes: { bothRefuse: 'spec.ports[0].port: Invalid value: 80.5: must be of type integer' },
    karmada: 'refuses',
    chain: { refused: 'spec.ports[0].port: Invalid value: 80.5: must be of type integer' },
  },
  {
    literal: '"80"',
    reaches: '"80"',
    apiServer: { refused: NOT_INTEGER('string') },
    routes: { bothRefuse: 'spec.ports[0].port: Invalid value: "80": must be of type integer' },
    karmada: 'refuses',
    chain: { refused: 'spec.ports[0].port: Invalid value: "80": must be of type integer' },
  },
  {
    literal: '2147483648',
    reaches: '2147483648',
    apiServer: { stored: 2147483648 },
    routes: { bothRefuse: `spec.ports[0].port: Invalid value: 2147483648: ${INT32}` },
    karmada: 'refuses',
    chain: { refused: `spec.ports[0].port: Invalid value: 2147483648: ${INT32}` },
  },
  {
    literal: '1e21',
    reaches: '1e+21',
    apiServer: { refused: NOT_INTEGER('number') },
    routes: { bothRefuse: `spec.ports[0].port: Invalid value: 1e+21: ${INT32}` },
    karmada: 'refuses',
    chain: { refused: `spec.ports[0].port: Invalid value: 1e+21: ${INT32}` },
  },
  {
    literal: '-1',
    reaches: '-1',
    apiServer: { stored: -1 },
    routes: { validateRefuses: `spec.ports[0].port: Invalid value: -1: ${RANGE}` },
    karmada: 'refuses',
    chain: { refused: `spec.ports[0].port: Invalid value: -1: ${RANGE}` },
  },
];

/** An MCS whose only port is the literal, as JSON text. */
function manifest(name: string, literal: string, labels: Record<string, string> = {}): string {
  return `{"apiVersion":"networking.karmada.io/v1alpha1","kind":"MultiClusterService","metadata":{"name":"${name}","labels":${JSON.stringify(labels)}},"spec":{"types":["CrossCluster"],"ports":[{"port":${literal}}]}}`;
}

const PORT_LITERAL = /"ports":\[\{"port":([^,}]+)[,}]/;

describe('a port through the real API server, our webhooks and Karmada’s', () => {
  let sb: Sandbox;
  let w: WebhookUnderTest | undefined;
  let recorder: RecordingWebhook | undefined;
  let admission: AdmissionregistrationV1Api;
  const ns = uniqueName('ports');
  const recNs = `${ns}-rec`;
  let counter = 0;

  const create = (namespace: string, body: string) =>
    kubectlRun(
      sb,
      [
        'create',
        '--raw',
        `/apis/networking.karmada.io/v1alpha1/namespaces/${namespace}/multiclusterservices`,
        '-f',
        '-',
      ],
      body,
    );

  /** What a raw create in our namespace came to: the stored port, or the refusal. */
  async function outcome(name: string, body: string): Promise<Outcome & { stderr: string }> {
    const r = await create(ns, body);
    if (r.code !== 0) return { refused: r.stderr, stderr: r.stderr };
    const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
    const stored = (await custom.getNamespacedCustomObject({
      group: 'networking.karmada.io',
      version: 'v1alpha1',
      plural: 'multiclusterservices',
      namespace: ns,
      name,
    })) as { spec: { ports: { port: number }[] } };
    return { stored: stored.spec.ports[0]?.port ?? Number.NaN, stderr: '' };
  }

  function assertOutcome(actual: Outcome & { stderr: string }, expected: Outcome, what: string) {
    if ('stored' in expected) assert.deepEqual(actual, { stored: expected.stored, stderr: '' }, what);
    else
      assert.ok(
        'refused' in actual && actual.refused.includes(expected.refused),
        `${what}: ${actual.stderr}`,
      );
  }

  before(async () => {
    sb = await useSandbox();
    admission = sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
    await ensureMcsCrd(sb);
    const core = sb.kubeConfig('hub').makeApiClient(CoreV1Api);
    for (const name of [ns, recNs]) {
      await core.createNamespace({ body: { metadata: { name, labels: { [NAMESPACE_LABEL]: name } } } });
    }
    w = await startWebhook(sb, 'webhook-ports', ns);
    recorder = await startRecordingWebhook(w.bundle);
    await admission.createMutatingWebhookConfiguration({ body: mutatingConfiguration(w.endpoint) });
    await admission.createValidatingWebhookConfiguration({ body: validatingConfiguration(w.endpoint) });
    await admission.createMutatingWebhookConfiguration({
      body: recordingConfiguration(recNs, recNs, recorder.port, w.bundle.caCert),
    });
    await eventually(
      'our webhooks and the recorder are in effect',
      async () => {
        const ours = await create(ns, manifest(`probe${counter++}`, '0'));
        assert.match(ours.stderr, /denied the request/);
        const recorded = await create(recNs, manifest('probe', '80'));
        assert.ok(recorded.stderr.includes(RECORDED), recorded.stderr);
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });

  after(async () => {
    if (!admission) return; // the sandbox was never reached: nothing was created
    const core = sb.kubeConfig('hub').makeApiClient(CoreV1Api);
    const problems = await runCleanup([
      [
        'delete the recorder configuration',
        () => admission.deleteMutatingWebhookConfiguration({ name: recNs }),
      ],
      ['stop the recorder', async () => recorder?.close()],
      ...webhookTeardown(admission, w, ns),
      ...[ns, recNs].map(
        (name): CleanupStep => [`delete namespace ${name}`, () => core.deleteNamespace({ name })],
      ),
    ]);
    assert.deepEqual(problems, [], 'the suite cleaned up after itself');
  });

  for (const c of CASES) {
    const decision =
      c.routes === 'both allow'
        ? 'both routes allow it'
        : 'bothRefuse' in c.routes
          ? 'both routes refuse it alike'
          : 'only the validating route refuses it';
    it(`port ${c.literal} reaches the webhooks as ${c.reaches}, ${decision}, and Karmada ${c.karmada.slice(0, -1)}s it too`, {
      timeout: KARMADA_ORACLE_TIMEOUT_MS + 120_000,
    }, async () => {
      assert.ok(w && recorder, 'the webhooks run');
      const name = `port${counter++}`;

      // The API server on its own: our CRD's schema, no webhook.
      assertOutcome(
        await outcome(`${name}-alone`, manifest(`${name}-alone`, c.literal, { [BYPASS_LABEL]: 'true' })),
        c.apiServer,
        'the API server alone',
      );

      // What it sends to a mutating webhook.
      const seen = recorder.bodies.length;
      const recorded = await create(recNs, manifest(name, c.literal));
      assert.ok(recorded.stderr.includes(RECORDED), recorded.stderr);
      const body = recorder.bodies[seen] ?? '';
      assert.equal(PORT_LITERAL.exec(body)?.[1], c.reaches, body);

      // Our two routes, and Karmada's chain, on that very body.
      const url = (route: string) => `https://127.0.0.1:${w?.endpoint.port}/${route}-multiclusterservice`;
      const answer = async (route: string) => {
        const r = await postRaw(url(route), body, w?.bundle.caCert ?? '');
        assert.equal(r.status, 200, r.body);
        const { response } = JSON.parse(r.body) as {
          response: { allowed: boolean; status?: { message: string } };
        };
        return response.allowed ? 'allowed' : (response.status?.message ?? '');
      };
      const [mutate, validate] = [await answer('mutate'), await answer('validate')];
      if (c.routes === 'both allow') assert.deepEqual([mutate, validate], ['allowed', 'allowed']);
      else if ('bothRefuse' in c.routes)
        assert.deepEqual([mutate, validate], [c.routes.bothRefuse, c.routes.bothRefuse]);
      else assert.deepEqual([mutate, validate], ['allowed', c.routes.validateRefuses]);
      const [karmada] = await askKarmada([body]);
      assert.ok(karmada, 'Karmada answered');
      assert.equal(
        karmadaAccepts(karmada) ? 'accepts' : 'refuses',
        c.karmada,
        `Karmada: ${karmadaRefusal(karmada)}`,
      );

      // The whole chain with our webhooks.
      assertOutcome(await outcome(name, manifest(name, c.literal)), c.chain, 'through our webhooks');
    });
  }
});
