/**
 * The command line of `mcs-bridge-certs`: its usage text, and the parsing of argv into what
 * to do, with an error naming the flag for every bad input.
 */
import { parseCommandLine, UsageError } from '../lib/cli.ts';
import type { SecretRef, WebhookConfigurationRef } from './ensure.ts';
import {
  type CertificateRequest,
  DEFAULT_CA_DAYS,
  DEFAULT_DAYS,
  KEY_TYPES,
  type KeyType,
  validateCertificateRequest,
} from './request.ts';

/** The usage text `--help` prints. */
export const USAGE = `Usage:
  mcs-bridge-certs --service NAME --namespace NS --out-dir DIR [options]
  mcs-bridge-certs --service NAME --namespace NS --kubeconfig FILE [options]

Generates a CA and a serving certificate signed by it for the webhook Service NAME in
namespace NS, with the DNS names NAME, NAME.NS, NAME.NS.svc, NAME.NS.svc.cluster.local
and any --host and --ip. Prints the CA as a base64 caBundle on stdout.

With --out-dir, writes ca.crt, ca.key, tls.crt and tls.key there (keys mode 0600),
replacing any that exist. With --kubeconfig, keeps them in a kubernetes.io/tls Secret
instead: creates it when missing, renews the certificate when less than a third of its
validity is left or it no longer matches the options, otherwise leaves it alone (so it is
safe to run again), and sets the caBundle of the named webhook configurations.

Options:
      --service NAME             the webhook's Service (required)
      --namespace NS             the Service's namespace, also the Secret's (required)
      --host NAME                an extra DNS name (repeatable)
      --ip ADDRESS               an extra IP address (repeatable)
      --days N                   validity of the serving certificate (default ${DEFAULT_DAYS})
      --ca-days N                validity of a new CA (default ${DEFAULT_CA_DAYS})
      --key-type TYPE            ${KEY_TYPES.join(' or ')}: RSA 2048 or ECDSA P-256 (default rsa)
      --out-dir DIR              write PEM files to DIR
      --kubeconfig FILE          store in a Secret through this kubeconfig instead
      --context NAME             the kubeconfig context (default: its current context)
      --secret-name NAME         the Secret (default: SERVICE-tls)
      --mutating-webhook NAME    a MutatingWebhookConfiguration to patch (repeatable)
      --validating-webhook NAME  a ValidatingWebhookConfiguration to patch (repeatable)
      --renew                    issue a new serving certificate even if the stored one is
                                 good (the CA is kept)
  -h, --help                     show this help
`;

const OPTIONS = {
  service: { type: 'string' },
  namespace: { type: 'string' },
  host: { type: 'string', multiple: true },
  ip: { type: 'string', multiple: true },
  days: { type: 'string' },
  'ca-days': { type: 'string' },
  'key-type': { type: 'string' },
  'out-dir': { type: 'string' },
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'secret-name': { type: 'string' },
  'mutating-webhook': { type: 'string', multiple: true },
  'validating-webhook': { type: 'string', multiple: true },
  renew: { type: 'boolean' },
} as const;

/** What the command was asked to do. */
export type CertsCommand =
  | { mode: 'files'; request: CertificateRequest; outDir: string }
  | {
      mode: 'kubernetes';
      request: CertificateRequest;
      kubeconfig: string;
      context: string | undefined;
      secret: SecretRef;
      webhookConfigurations: WebhookConfigurationRef[];
      renew: boolean;
    };

/** The flag each field of a {@link CertificateRequest} comes from. */
const FLAG_OF_FIELD: Record<string, string> = {
  service: '--service',
  namespace: '--namespace',
  hosts: '--host',
  ips: '--ip',
  days: '--days',
  caDays: '--ca-days',
  keyType: '--key-type',
};

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function parseDays(flag: string, value: string | undefined, errors: string[]): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) {
    errors.push(`${flag}: must be a whole number of days, got "${value}"`);
    return undefined;
  }
  return Number(value);
}

function checkObjectName(flag: string, what: string, name: string, errors: string[]): void {
  if (name.length > 253 || !DNS1123_SUBDOMAIN.test(name)) {
    errors.push(`${flag}: "${name}" is not a valid ${what} name (a DNS-1123 subdomain)`);
  }
}

/**
 * Parses argv. Returns undefined after printing the usage for `--help`; throws a
 * {@link UsageError} listing every bad flag otherwise.
 */
export function parseCertsCommand(argv: string[]): CertsCommand | undefined {
  const opts = parseCommandLine({ name: 'mcs-bridge-certs', usage: USAGE, options: OPTIONS }, argv);
  if (!opts) return undefined;
  const errors: string[] = [];
  const missing = (['service', 'namespace'] as const).filter((flag) => opts[flag] === undefined);
  for (const flag of missing) errors.push(`--${flag} is required`);
  const days = parseDays('--days', opts.days, errors) ?? DEFAULT_DAYS;
  const request: CertificateRequest = {
    service: opts.service ?? '',
    namespace: opts.namespace ?? '',
    hosts: opts.host ?? [],
    ips: opts.ip ?? [],
    days,
    // A CA must outlive the certificates it signs, so the default grows with --days.
    caDays: parseDays('--ca-days', opts['ca-days'], errors) ?? Math.max(DEFAULT_CA_DAYS, days),
    keyType: (opts['key-type'] ?? 'rsa') as KeyType,
  };
  for (const e of validateCertificateRequest(request)) {
    const field = e.field.replace(/\[\d+\]$/, '');
    if ((missing as readonly string[]).includes(field)) continue;
    errors.push(`${FLAG_OF_FIELD[field] ?? field}: ${e.message}`);
  }
  const outDir = opts['out-dir'];
  const kubeconfig = opts.kubeconfig;
  if (outDir !== undefined && kubeconfig !== undefined) {
    errors.push('--out-dir and --kubeconfig cannot be used together: choose files or a Secret');
  } else if (outDir === undefined && kubeconfig === undefined) {
    errors.push('one of --out-dir or --kubeconfig is required');
  }
  if (kubeconfig === undefined) {
    for (const flag of [
      'context',
      'secret-name',
      'mutating-webhook',
      'validating-webhook',
      'renew',
    ] as const) {
      if (opts[flag] !== undefined) errors.push(`--${flag} needs --kubeconfig`);
    }
  }
  if (outDir === '') errors.push('--out-dir: must not be empty');
  if (kubeconfig === '') errors.push('--kubeconfig: must not be empty');
  const secretName = opts['secret-name'] ?? `${request.service}-tls`;
  if (opts['secret-name'] !== undefined) checkObjectName('--secret-name', 'Secret', secretName, errors);
  const webhookConfigurations: WebhookConfigurationRef[] = [
    ...(opts['mutating-webhook'] ?? []).map((name) => ({
      kind: 'MutatingWebhookConfiguration' as const,
      name,
    })),
    ...(opts['validating-webhook'] ?? []).map((name) => ({
      kind: 'ValidatingWebhookConfiguration' as const,
      name,
    })),
  ];
  for (const ref of webhookConfigurations) {
    const flag = ref.kind === 'MutatingWebhookConfiguration' ? '--mutating-webhook' : '--validating-webhook';
    checkObjectName(flag, ref.kind, ref.name, errors);
  }
  if (errors.length > 0) throw new UsageError(errors.join('\n'));
  if (outDir !== undefined) return { mode: 'files', request, outDir };
  return {
    mode: 'kubernetes',
    request,
    kubeconfig: kubeconfig ?? '',
    context: opts.context,
    secret: { namespace: request.namespace, name: secretName },
    webhookConfigurations,
    renew: opts.renew === true,
  };
}
