/**
 * A mutating webhook that only records: it keeps each AdmissionReview body exactly as the API
 * server sent it and refuses the write (so nothing is stored). It shows, byte for byte, what
 * reaches a webhook, before any other webhook or the CRD schema has seen the object.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { V1MutatingWebhookConfiguration } from '@kubernetes/client-node';
import type { CertificateBundle } from '../../../certs/generate.ts';
import { NAMESPACE_LABEL } from './webhook.ts';

/** The message of the recorder's refusal, which kubectl prints. */
export const RECORDED = 'recorded by the test, not stored';

/** A running recorder. */
export interface RecordingWebhook {
  /** The raw bodies received, in order. */
  bodies: string[];
  port: number;
  close(): Promise<void>;
}

/** Serves the recorder on loopback with the bundle's serving certificate. */
export async function startRecordingWebhook(bundle: CertificateBundle): Promise<RecordingWebhook> {
  const bodies: string[] = [];
  const server = https.createServer({ cert: bundle.cert, key: bundle.key }, (req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      bodies.push(body);
      let uid = '';
      try {
        uid = (JSON.parse(body) as { request?: { uid?: string } }).request?.uid ?? '';
      } catch {
        // An unreadable body is recorded all the same; the API server gets a refusal without uid.
      }
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: { uid, allowed: false, status: { code: 403, message: RECORDED } },
        }),
      );
    });
  });
  server.requestTimeout = 10_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    bodies,
    port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The recorder's configuration: MultiClusterService writes in one labelled namespace only. */
export function recordingConfiguration(
  name: string,
  namespace: string,
  port: number,
  caCert: string,
): V1MutatingWebhookConfiguration {
  return {
    metadata: { name },
    webhooks: [
      {
        name: `record.${name}.mcs-bridge.io`,
        clientConfig: {
          url: `https://127.0.0.1:${port}/record`,
          caBundle: Buffer.from(caCert).toString('base64'),
        },
        rules: [
          {
            apiGroups: ['networking.karmada.io'],
            apiVersions: ['v1alpha1'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['multiclusterservices'],
            scope: 'Namespaced',
          },
        ],
        namespaceSelector: { matchLabels: { [NAMESPACE_LABEL]: namespace } },
        failurePolicy: 'Fail',
        sideEffects: 'None',
        timeoutSeconds: 5,
        admissionReviewVersions: ['v1'],
      },
    ],
  };
}
