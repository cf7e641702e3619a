/**
 * The command-line flags of the self-managed TLS mode, in which the webhook keeps its own
 * serving certificate in a Secret (see certs/ensure.ts) instead of reading one someone else
 * provides. Kept apart from options.ts so that file stays about serving.
 */

import type { KeyType } from '../../certs/request.ts';
import { KEY_TYPES, validateCertificateRequest } from '../../certs/request.ts';
import { UsageError } from '../../lib/cli.ts';
import { parseDuration } from '../../lib/duration.ts';

/** What the self-managed TLS mode keeps current, and how often it looks. */
export interface SelfManagedTlsOptions {
  /** The Secret holding the CA and the serving certificate. */
  secretName: string;
  /** Its namespace; also the namespace of the Service the certificate is for. */
  secretNamespace: string;
  /** The Service in front of the webhook, whose names the certificate carries. */
  service: string;
  /** Extra DNS names and IP addresses for the certificate. */
  hosts: string[];
  ips: string[];
  keyType: KeyType;
  /** Lifetime of each serving certificate, in days. */
  days: number;
  /** Configurations whose caBundle must trust the CA. */
  mutatingWebhookConfigs: string[];
  validatingWebhookConfigs: string[];
  /** How often the Secret is checked and the certificate renewed when due. */
  checkIntervalMs: number;
}

/** The usage lines of these flags, for --help. */
export const SELF_MANAGED_USAGE = `
Self-managed TLS (the Helm chart's default): the certificate lives in a Secret; the webhook
creates or renews it there (renewal when a third of its validity is left; replicas agree
through the Secret's resourceVersion), writes it to --tls-cert-file and --tls-key-file, and
keeps the caBundle of its webhook configurations current. Needs --kubeconfig or --in-cluster.
      --self-managed-tls       turn this mode on
      --tls-secret NAME        the Secret (it may exist empty; required)
      --tls-secret-namespace NS
                               its namespace, also the Service's (required)
      --tls-service NAME       the Service in front of the webhook (required)
      --tls-host NAME          an extra DNS name for the certificate (repeatable)
      --tls-ip ADDR            an extra IP address for the certificate (repeatable)
      --tls-key-type TYPE      rsa or ecdsa (default rsa)
      --tls-days N             lifetime of a serving certificate in days (default 365)
      --mutating-webhook-config NAME
                               a MutatingWebhookConfiguration to keep trusting the CA (repeatable)
      --validating-webhook-config NAME
                               a ValidatingWebhookConfiguration likewise (repeatable)
      --tls-check-interval D   how often the Secret is checked (default 1m)
`;

/** The flags, in the shape of node:util parseArgs options. */
export const SELF_MANAGED_FLAGS = {
  'self-managed-tls': { type: 'boolean' },
  'tls-secret': { type: 'string' },
  'tls-secret-namespace': { type: 'string' },
  'tls-service': { type: 'string' },
  'tls-host': { type: 'string', multiple: true },
  'tls-ip': { type: 'string', multiple: true },
  'tls-key-type': { type: 'string' },
  'tls-days': { type: 'string' },
  'mutating-webhook-config': { type: 'string', multiple: true },
  'validating-webhook-config': { type: 'string', multiple: true },
  'tls-check-interval': { type: 'string' },
} as const;

/** The parsed values of {@link SELF_MANAGED_FLAGS}. */
export interface SelfManagedFlagValues {
  'self-managed-tls'?: boolean;
  'tls-secret'?: string;
  'tls-secret-namespace'?: string;
  'tls-service'?: string;
  'tls-host'?: string[];
  'tls-ip'?: string[];
  'tls-key-type'?: string;
  'tls-days'?: string;
  'mutating-webhook-config'?: string[];
  'validating-webhook-config'?: string[];
  'tls-check-interval'?: string;
}

/**
 * The self-managed TLS options, or undefined when the mode is off. Throws UsageError for a
 * missing or bad flag, and for a flag of this mode given without --self-managed-tls.
 */
export function parseSelfManagedTls(
  values: SelfManagedFlagValues,
  hub: { kubeconfig?: string | undefined; inCluster?: boolean | undefined },
): SelfManagedTlsOptions | undefined {
  if (!values['self-managed-tls']) {
    const stray = Object.keys(SELF_MANAGED_FLAGS).filter(
      (flag) => flag !== 'self-managed-tls' && values[flag as keyof SelfManagedFlagValues] !== undefined,
    );
    if (stray.length > 0) {
      throw new UsageError(`${stray.map((f) => `--${f}`).join(', ')} only apply with --self-managed-tls`);
    }
    return undefined;
  }
  if (!hub.kubeconfig && !hub.inCluster) {
    throw new UsageError('--self-managed-tls needs --kubeconfig or --in-cluster to reach the Secret');
  }
  const missing = (['tls-secret', 'tls-secret-namespace', 'tls-service'] as const).filter((f) => !values[f]);
  if (missing.length > 0) {
    throw new UsageError(`--self-managed-tls needs ${missing.map((f) => `--${f}`).join(', ')}`);
  }
  const keyType = values['tls-key-type'] ?? 'rsa';
  if (!(KEY_TYPES as readonly string[]).includes(keyType)) {
    throw new UsageError(
      `--tls-key-type must be one of ${KEY_TYPES.join(', ')}, got ${JSON.stringify(keyType)}`,
    );
  }
  const daysText = values['tls-days'] ?? '365';
  const days = Number(daysText);
  let checkIntervalMs: number;
  try {
    checkIntervalMs = parseDuration(values['tls-check-interval'] ?? '1m', '--tls-check-interval');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (checkIntervalMs < 1000) throw new UsageError('--tls-check-interval must be at least 1s');
  const mutating = values['mutating-webhook-config'] ?? [];
  const validating = values['validating-webhook-config'] ?? [];
  if (mutating.length + validating.length === 0) {
    throw new UsageError(
      '--self-managed-tls needs at least one --mutating-webhook-config or --validating-webhook-config',
    );
  }
  const options: SelfManagedTlsOptions = {
    secretName: values['tls-secret'] as string,
    secretNamespace: values['tls-secret-namespace'] as string,
    service: values['tls-service'] as string,
    hosts: values['tls-host'] ?? [],
    ips: values['tls-ip'] ?? [],
    keyType: keyType as KeyType,
    days,
    mutatingWebhookConfigs: mutating,
    validatingWebhookConfigs: validating,
    checkIntervalMs,
  };
  // The certificate request's own checks, reported under the flag names they come from.
  const flagOf: Record<string, string> = {
    service: '--tls-service',
    namespace: '--tls-secret-namespace',
    days: '--tls-days',
  };
  const errors = validateCertificateRequest({
    service: options.service,
    namespace: options.secretNamespace,
    hosts: options.hosts,
    ips: options.ips,
    days: Number.isNaN(days) ? -1 : days,
    keyType: options.keyType,
  }).map((e) => {
    const indexed = /^(hosts|ips)\[(\d+)\]$/.exec(e.field);
    const flag = indexed ? (indexed[1] === 'hosts' ? '--tls-host' : '--tls-ip') : flagOf[e.field];
    const message =
      e.field === 'days'
        ? `must be a whole number of days between 1 and 36500, got ${JSON.stringify(daysText)}`
        : e.message;
    return `${flag ?? e.field}: ${message}`;
  });
  if (errors.length > 0) throw new UsageError(errors.join('; '));
  return options;
}
