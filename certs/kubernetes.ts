/**
 * The {@link SecretStore} and {@link CABundlePatcher} of `ensure.ts`, implemented with
 * `@kubernetes/client-node`. Every error says which object and which verb failed, and every
 * call is aborted after `timeoutMs` (its connection closed), so a silent API server cannot
 * hold the certs command or the webhook's self-managed certificate.
 */
import {
  type AdmissionregistrationV1Api,
  type AdmissionregistrationV1WebhookClientConfig,
  type CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Secret,
} from '@kubernetes/client-node';
import { timeoutAfter } from '../lib/kube-abort.ts';
import { describeApiError, httpCode } from '../lib/kube-errors.ts';
import {
  type CABundlePatcher,
  ConflictError,
  type SecretRef,
  type SecretStore,
  type StoredSecret,
  type WebhookConfigurationRef,
} from './ensure.ts';
import { TLS_SECRET } from './plan.ts';

export { describeApiError };

/** Default bound of one API call. */
export const DEFAULT_CALL_TIMEOUT_MS = 30_000;

/** The labels put on a Secret this code creates, unless others are given. */
export const DEFAULT_SECRET_LABELS: Readonly<Record<string, string>> = {
  'app.kubernetes.io/managed-by': 'mcs-bridge',
};

function encode(data: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')]));
}

function decode(secret: V1Secret): StoredSecret {
  const data = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  return { data, resourceVersion: secret.metadata?.resourceVersion ?? '' };
}

/** Keeps the TLS Secret with a CoreV1Api client. */
export class KubernetesSecretStore implements SecretStore {
  /** `labels` go on a Secret this store creates; an existing Secret's labels are left alone. */
  constructor(
    private readonly core: CoreV1Api,
    private readonly labels: Readonly<Record<string, string>> = DEFAULT_SECRET_LABELS,
    private readonly timeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ) {}

  async read(ref: SecretRef): Promise<StoredSecret | undefined> {
    try {
      return decode(await this.core.readNamespacedSecret(ref, timeoutAfter(this.timeoutMs)));
    } catch (err) {
      if (httpCode(err) === 404) return undefined;
      throw new Error(`failed to read Secret ${ref.namespace}/${ref.name}: ${describeApiError(err)}`);
    }
  }

  async create(ref: SecretRef, data: Record<string, string>): Promise<StoredSecret> {
    const body: V1Secret = {
      metadata: { name: ref.name, namespace: ref.namespace, labels: { ...this.labels } },
      type: TLS_SECRET.type,
      data: encode(data),
    };
    try {
      return decode(
        await this.core.createNamespacedSecret(
          { namespace: ref.namespace, body },
          timeoutAfter(this.timeoutMs),
        ),
      );
    } catch (err) {
      const message = `failed to create Secret ${ref.namespace}/${ref.name}: ${describeApiError(err)}`;
      throw httpCode(err) === 409 ? new ConflictError(message) : new Error(message);
    }
  }

  async update(ref: SecretRef, data: Record<string, string>, resourceVersion: string): Promise<StoredSecret> {
    // A merge patch leaves the Secret's other keys, labels and type (immutable) alone; the
    // resourceVersion in it is a precondition, so a stale write gets 409 instead of winning.
    const body = { metadata: { resourceVersion }, data: encode(data) };
    try {
      return decode(
        await this.core.patchNamespacedSecret(
          { ...ref, body },
          timeoutAfter(this.timeoutMs, setHeaderOptions('Content-Type', PatchStrategy.MergePatch)),
        ),
      );
    } catch (err) {
      const message = `failed to update Secret ${ref.namespace}/${ref.name}: ${describeApiError(err)}`;
      // Deleted since it was read: a conflict too; the caller re-reads and creates it.
      const code = httpCode(err);
      throw code === 409 || code === 404 ? new ConflictError(message) : new Error(message);
    }
  }
}

/** Sets the caBundle of Mutating/ValidatingWebhookConfigurations with an AdmissionregistrationV1Api client. */
export class KubernetesCABundlePatcher implements CABundlePatcher {
  constructor(
    private readonly admission: AdmissionregistrationV1Api,
    private readonly timeoutMs = DEFAULT_CALL_TIMEOUT_MS,
  ) {}

  async setCABundle(ref: WebhookConfigurationRef, caPem: string): Promise<boolean> {
    const caBundle = Buffer.from(caPem).toString('base64');
    const mutating = ref.kind === 'MutatingWebhookConfiguration';
    let webhooks: { name: string; clientConfig: AdmissionregistrationV1WebhookClientConfig }[];
    try {
      const bound = timeoutAfter(this.timeoutMs);
      const config = mutating
        ? await this.admission.readMutatingWebhookConfiguration({ name: ref.name }, bound)
        : await this.admission.readValidatingWebhookConfiguration({ name: ref.name }, bound);
      webhooks = config.webhooks ?? [];
    } catch (err) {
      throw new Error(`failed to read ${ref.kind} ${ref.name}: ${describeApiError(err)}`);
    }
    const stale = webhooks.filter((w) => w.clientConfig.caBundle !== caBundle);
    if (stale.length === 0) return false;
    // A strategic merge patch merges `webhooks` by name, so it touches only the caBundle of
    // these entries, whatever their order and whatever else changed since the read.
    const body = { webhooks: stale.map((w) => ({ name: w.name, clientConfig: { caBundle } })) };
    const options = timeoutAfter(
      this.timeoutMs,
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    try {
      if (mutating) await this.admission.patchMutatingWebhookConfiguration({ name: ref.name, body }, options);
      else await this.admission.patchValidatingWebhookConfiguration({ name: ref.name, body }, options);
    } catch (err) {
      throw new Error(`failed to patch the caBundle of ${ref.kind} ${ref.name}: ${describeApiError(err)}`);
    }
    return true;
  }
}
