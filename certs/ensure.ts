/**
 * Keeps the webhook's serving certificate current in a Secret and its CA in the webhook
 * configurations' caBundle. The decision is {@link planServingCertificate}; the I/O goes
 * through two small interfaces so that tests use in-memory fakes and the cluster uses
 * `kubernetes.ts`. Replicas agree through the Secret's resourceVersion: a write based on a
 * stale read fails with a conflict, and the loser re-reads and serves the winner's
 * certificate.
 */
import { type CertificateBundle, type GenerateOptions, generateCertificates } from './generate.ts';
import { bundleFromSecretData, planServingCertificate, secretDataFromBundle } from './plan.ts';
import { assertValidCertificateRequest, type CertificateRequest } from './request.ts';

/** Namespace and name of the Secret that holds the certificate. */
export interface SecretRef {
  namespace: string;
  name: string;
}

/** A Secret's data, decoded, and the resourceVersion it was read at. */
export interface StoredSecret {
  data: Record<string, string>;
  resourceVersion: string;
}

/** Thrown by a {@link SecretStore} when a write lost a race with another writer (HTTP 409). */
export class ConflictError extends Error {
  override name = 'ConflictError';
}

/** Reads and writes one kind of object: the TLS Secret. Data is decoded text on both sides. */
export interface SecretStore {
  /** The Secret, or undefined when it does not exist. */
  read(ref: SecretRef): Promise<StoredSecret | undefined>;
  /** Creates the Secret; throws {@link ConflictError} when it already exists. */
  create(ref: SecretRef, data: Record<string, string>): Promise<StoredSecret>;
  /**
   * Replaces these data keys, only if the Secret is still at `resourceVersion`; throws
   * {@link ConflictError} when it has changed or gone since.
   */
  update(ref: SecretRef, data: Record<string, string>, resourceVersion: string): Promise<StoredSecret>;
}

/** The two kinds of webhook configuration whose caBundle is kept current. */
export type WebhookConfigurationKind = 'MutatingWebhookConfiguration' | 'ValidatingWebhookConfiguration';

/** One webhook configuration, by kind and name. */
export interface WebhookConfigurationRef {
  kind: WebhookConfigurationKind;
  name: string;
}

/** Sets the caBundle of the webhooks in a webhook configuration. */
export interface CABundlePatcher {
  /**
   * Makes every webhook of the configuration trust `caPem`; resolves true when something
   * had to change, false when all already did (no write then).
   */
  setCABundle(ref: WebhookConfigurationRef, caPem: string): Promise<boolean>;
}

/** The I/O {@link ensureServingCertificate} needs; `generate` is replaceable for tests. */
export interface EnsureDependencies {
  secrets: SecretStore;
  webhooks: CABundlePatcher;
  generate?: (opts: GenerateOptions) => Promise<CertificateBundle>;
}

/** Where to keep the certificate, what it is for, and the clock. */
export interface EnsureOptions extends CertificateRequest {
  secret: SecretRef;
  /** Configurations whose caBundle must trust the CA. */
  webhookConfigurations?: readonly WebhookConfigurationRef[];
  now: Date;
  /** Issue a new serving certificate even when the stored one is good (the CA is kept). */
  force?: boolean;
  /** How many times to re-read after a conflict before giving up; default 5. */
  maxAttempts?: number;
}

/**
 * What happened: `created` (no Secret before), `renewed` (Secret updated), `reused` (stored
 * certificate still good) or `adopted` (another writer won a race and its certificate is used).
 */
export type EnsureAction = 'created' | 'renewed' | 'reused' | 'adopted';

/** The certificate to serve and how it came about. */
export interface EnsureResult {
  action: EnsureAction;
  /** Why a new certificate was issued (`created` and `renewed` only). */
  reason?: string;
  bundle: CertificateBundle;
  /** The Secret's resourceVersion holding `bundle`. */
  resourceVersion: string;
  /** The configurations whose caBundle had to be changed. */
  patched: WebhookConfigurationRef[];
}

function requestOf(opts: EnsureOptions): CertificateRequest {
  const { service, namespace, hosts, ips, days, caDays, keyType } = opts;
  return { service, namespace, hosts, ips, days, caDays, keyType };
}

/**
 * Makes sure the Secret holds a valid CA and serving certificate for the request (creating
 * it when missing, renewing when needed, otherwise reusing it), then that every named
 * webhook configuration trusts that CA. Safe to run from several replicas at once.
 */
export async function ensureServingCertificate(
  deps: EnsureDependencies,
  opts: EnsureOptions,
): Promise<EnsureResult> {
  const request = requestOf(opts);
  assertValidCertificateRequest(request);
  const generate = deps.generate ?? generateCertificates;
  const where = `Secret ${opts.secret.namespace}/${opts.secret.name}`;
  const maxAttempts = opts.maxAttempts ?? 5;
  let lostRace = false;
  let settled: Omit<EnsureResult, 'patched'> | undefined;
  for (let attempt = 1; settled === undefined; attempt++) {
    const current = await deps.secrets.read(opts.secret);
    const plan = planServingCertificate(current && bundleFromSecretData(current.data), request, opts.now, {
      // Once another writer has won, its fresh certificate is what a forced renewal wanted.
      force: opts.force === true && !lostRace,
    });
    if (plan.action === 'reuse' && current !== undefined) {
      settled = {
        action: lostRace ? 'adopted' : 'reused',
        bundle: plan.bundle,
        resourceVersion: current.resourceVersion,
      };
      break;
    }
    const reason = plan.action === 'issue' ? plan.reason : 'the Secret does not exist';
    const bundle = await generate({
      ...request,
      now: opts.now,
      ca: plan.action === 'issue' ? plan.ca : undefined,
    });
    const data = secretDataFromBundle(bundle);
    try {
      const written =
        current === undefined
          ? await deps.secrets.create(opts.secret, data)
          : await deps.secrets.update(opts.secret, data, current.resourceVersion);
      settled = {
        action: current === undefined ? 'created' : 'renewed',
        reason,
        bundle,
        resourceVersion: written.resourceVersion,
      };
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
      if (attempt >= maxAttempts) {
        throw new Error(
          `failed to store the certificate in ${where}: gave up after ${attempt} conflicts: ${err.message}`,
        );
      }
      lostRace = true;
    }
  }
  const patched: WebhookConfigurationRef[] = [];
  for (const ref of opts.webhookConfigurations ?? []) {
    if (await deps.webhooks.setCABundle(ref, settled.bundle.caCert)) patched.push(ref);
  }
  return { ...settled, patched };
}
