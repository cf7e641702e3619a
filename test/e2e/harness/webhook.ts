/**
 * What the webhook's end-to-end suite needs around the webhook process: the CRD on the hub,
 * webhook configurations that reach a process on loopback, kubectl with its stderr, and a look
 * at the certificate the server presents.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type {
  AdmissionregistrationV1Api,
  V1MutatingWebhookConfiguration,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { writeCertificateFiles } from '../../../certs/files.ts';
import { type CertificateBundle, generateCertificates } from '../../../certs/generate.ts';
import type { CertificateRequest } from '../../../certs/request.ts';
import { kubeconfigFor } from '../../sandbox/kubeconfig.ts';
import { MEMBERS } from '../../sandbox/layout.ts';
import { freePort, type RunningProgram, startProgram, waitHttpOk } from '../../sandbox/our-processes.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';

const MCS = { group: 'networking.karmada.io', version: 'v1alpha1', plural: 'multiclusterservices' };

/** The label that opts a namespace into this suite's webhooks (its value is the namespace). */
export const NAMESPACE_LABEL = 'webhook-e2e.mcs-bridge.io/namespace';
/** Objects with this label bypass the webhooks: they stand for objects stored before it existed. */
export const BYPASS_LABEL = 'webhook-e2e.mcs-bridge.io/bypass';

/** Installs the MultiClusterService CRD on the hub (shared with the syncer's suites). */
export { ensureCrd as ensureMcsCrd } from './syncer.ts';

/** A MultiClusterService manifest as JSON (kubectl reads JSON on stdin as well as YAML). */
export function mcsManifest(name: string, spec: object, labels?: Record<string, string>): string {
  const metadata = labels ? { name, labels } : { name };
  return JSON.stringify({
    apiVersion: `${MCS.group}/${MCS.version}`,
    kind: 'MultiClusterService',
    metadata,
    spec,
  });
}

const LONG_CLUSTER = 'c'.repeat(49);

/** A MultiClusterService wrong in four ways at once: a 49-character cluster name, two types, a bad port, a duplicate port name. */
export const WRONG_FOUR_WAYS = mcsManifest('bad', {
  types: ['CrossCluster', 'LoadBalancer'],
  ports: [
    { name: 'http', port: 80 },
    { name: 'http', port: 8080 },
    { name: 'metrics', port: 70000 },
  ],
  providerClusters: [{ name: LONG_CLUSTER }],
  consumerClusters: [{ name: 'member2' }],
});

/** Each error the webhook must name for {@link WRONG_FOUR_WAYS}: field path and message. */
export const WRONG_FOUR_WAYS_ERRORS = [
  'spec.ports[1].name: Duplicate value: "http"',
  'spec.ports[2].port: Invalid value: 70000: must be between 1 and 65535, inclusive',
  'spec.types: Invalid value: ["CrossCluster","LoadBalancer"]: MultiClusterService types should not contain more than one type',
  `spec.providerClusters[0].name: Invalid value: "${LONG_CLUSTER}": must be no more than 48 characters`,
];

/** Where the webhook listens and how the API server is to trust it. */
export interface WebhookEndpoint {
  /** Name of both configurations (unique to the suite). */
  name: string;
  /** The namespace the webhooks are limited to. */
  namespace: string;
  port: number;
  caCert: string;
}

/** One webhook entry, as Karmada's chart registers it, limited to one labelled namespace. */
function webhookEntry(endpoint: WebhookEndpoint, which: 'validate' | 'mutate') {
  return {
    name: `${which}.${endpoint.name}.mcs-bridge.io`,
    clientConfig: {
      url: `https://127.0.0.1:${endpoint.port}/${which}-multiclusterservice`,
      caBundle: Buffer.from(endpoint.caCert).toString('base64'),
    },
    rules: [
      {
        apiGroups: [MCS.group],
        apiVersions: [MCS.version],
        operations: ['CREATE', 'UPDATE'],
        resources: [MCS.plural],
        scope: 'Namespaced',
      },
    ],
    // Only this suite's namespace: a Fail webhook must never reach into another suite's objects.
    namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: endpoint.namespace } },
    objectSelector: { matchExpressions: [{ key: BYPASS_LABEL, operator: 'DoesNotExist' }] },
    failurePolicy: 'Fail',
    sideEffects: 'None',
    timeoutSeconds: 3,
    matchPolicy: 'Equivalent',
    admissionReviewVersions: ['v1'],
  };
}

/** The mutating configuration for an endpoint. */
export function mutatingConfiguration(endpoint: WebhookEndpoint): V1MutatingWebhookConfiguration {
  return {
    metadata: { name: endpoint.name },
    webhooks: [{ ...webhookEntry(endpoint, 'mutate'), reinvocationPolicy: 'Never' }],
  };
}

/** The validating configuration for an endpoint. */
export function validatingConfiguration(endpoint: WebhookEndpoint): V1ValidatingWebhookConfiguration {
  return { metadata: { name: endpoint.name }, webhooks: [webhookEntry(endpoint, 'validate')] };
}

/** A webhook process on loopback serving a certificate from our CA, in files it follows. */
export interface WebhookUnderTest {
  program: RunningProgram;
  endpoint: WebhookEndpoint;
  healthPort: number;
  /** The folder of ca.crt, ca.key, tls.crt and tls.key (the caller removes it). */
  certDir: string;
  bundle: CertificateBundle;
  /** What the serving certificate was issued for, to issue the next one. */
  request: CertificateRequest;
}

/**
 * Generates a CA and a serving certificate for 127.0.0.1 with our certs library, starts the
 * webhook with them (warnings reading the hub, members from a kubeconfig of member1 and member2),
 * and waits until it is ready. Nothing is left running when this throws.
 */
export async function startWebhook(sb: Sandbox, name: string, namespace: string): Promise<WebhookUnderTest> {
  const certDir = await mkdtemp(path.join(os.tmpdir(), `${name}-`));
  const request: CertificateRequest = { service: 'webhook', namespace, ips: ['127.0.0.1'], keyType: 'ecdsa' };
  const bundle = await generateCertificates({ ...request, now: new Date() });
  await writeCertificateFiles(certDir, bundle);
  const members = path.join(certDir, 'members.kubeconfig');
  await writeFile(members, JSON.stringify(kubeconfigFor(sb.layout, sb.admin, MEMBERS, 'member1')));
  const endpoint = { name: namespace, namespace, port: await freePort(sb), caCert: bundle.caCert };
  const healthPort = await freePort(sb);
  const program = await startProgram(sb, name, 'webhook', [
    `--port=${endpoint.port}`,
    `--health-port=${healthPort}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${path.join(certDir, 'tls.crt')}`,
    `--tls-key-file=${path.join(certDir, 'tls.key')}`,
    `--kubeconfig=${sb.layout.kubeconfig}`,
    `--member-kubeconfig=${members}`,
  ]);
  try {
    await waitHttpOk(program, `http://127.0.0.1:${healthPort}/readyz`);
  } catch (err) {
    await program.stop();
    throw err;
  }
  return { program, endpoint, healthPort, certDir, bundle, request };
}

/** What a kubectl run printed, and how it ended. */
export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the sandbox's kubectl with input on stdin; never throws on a non-zero exit. */
export function kubectlRun(sb: Sandbox, args: string[], input?: string): Promise<KubectlResult> {
  const bin = path.join(sb.binDir, 'kubectl');
  return new Promise((resolve) => {
    const child = execFile(
      bin,
      ['--kubeconfig', sb.layout.kubeconfig, '--context', 'hub', ...args],
      { timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

/** The serial number of the certificate a TLS server on loopback presents, verified against ca. */
export function servedSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, timeout: 5_000 }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('timeout', () => socket.destroy(new Error(`TLS handshake with port ${port} timed out`)));
    socket.on('error', reject);
  });
}

/** One answer over a kept-alive connection: the status, whether the socket was reused, its cert. */
export interface PostResult {
  status: number;
  body: string;
  reusedSocket: boolean;
  serial: string;
}

/** POSTs a JSON body through agent (keep-alive), so a later call can reuse the same connection. */
export function postJson(agent: https.Agent, url: string, body: unknown): Promise<PostResult> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json' }, timeout: 5_000 },
      (res) => {
        // Read now: once the body has ended, the socket goes back to the agent's pool.
        const serial = (res.socket as tls.TLSSocket).getPeerCertificate().serialNumber;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          text += c;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            body: text,
            reusedSocket: req.reusedSocket,
            serial,
          }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url} timed out`)));
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** POSTs a JSON text byte for byte (a number literal such as 80.0 arrives as written). */
export function postRaw(url: string, text: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      { method: 'POST', ca, headers: { 'content-type': 'application/json' }, timeout: 5_000 },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url} timed out`)));
    req.on('error', reject);
    req.end(text);
  });
}

/** One step of a suite's cleanup: what it does, and doing it. */
export type CleanupStep = readonly [what: string, run: () => Promise<unknown>];

/** Runs cleanup steps in order, all of them; returns those that failed (a 404 is already done). */
export async function runCleanup(steps: readonly CleanupStep[]): Promise<string[]> {
  const problems: string[] = [];
  for (const [what, run] of steps) {
    await Promise.resolve()
      .then(run)
      .catch((err: { code?: number; message?: string }) => {
        if (err.code !== 404) problems.push(`${what}: ${err.message ?? String(err)}`);
      });
  }
  return problems;
}

/**
 * The steps that undo {@link startWebhook} and the configurations named after its endpoint, in
 * this order: a failurePolicy-Fail webhook whose process is gone refuses every write it matches.
 */
export function webhookTeardown(
  admission: AdmissionregistrationV1Api,
  w: WebhookUnderTest | undefined,
  name: string,
): CleanupStep[] {
  return [
    ['delete the MutatingWebhookConfiguration', () => admission.deleteMutatingWebhookConfiguration({ name })],
    [
      'delete the ValidatingWebhookConfiguration',
      () => admission.deleteValidatingWebhookConfiguration({ name }),
    ],
    ['stop the webhook', async () => w?.program.stop()],
    ['remove its certificates', async () => w && rm(w.certDir, { recursive: true, force: true })],
  ];
}
