/**
 * What a serving certificate is for: the Service it answers as, extra names, lifetime and
 * key type; and the checks that a request makes sense before anything is generated.
 */
import { isIP } from 'node:net';

/** The key algorithm of the CA and the serving certificate (RSA 2048 or ECDSA P-256). */
export type KeyType = 'rsa' | 'ecdsa';

/** Every key type, in the order `--help` lists them. */
export const KEY_TYPES: readonly KeyType[] = ['rsa', 'ecdsa'];

/** Default lifetime of a serving certificate, in days. */
export const DEFAULT_DAYS = 365;

/**
 * Default lifetime of a CA, in days. Ten years: the CA is reused across renewals of the
 * serving certificate so the webhook configurations' caBundle stays the same.
 */
export const DEFAULT_CA_DAYS = 3650;

/** The certificate a webhook needs: who it answers as, for how long, with which key type. */
export interface CertificateRequest {
  /** Name of the Service in front of the webhook (a DNS-1035 label). */
  service: string;
  /** Namespace of that Service. */
  namespace: string;
  /** Extra DNS names (a leading `*.` is allowed). */
  hosts?: readonly string[];
  /** Extra IP addresses, v4 or v6. */
  ips?: readonly string[];
  /** Lifetime of the serving certificate in days; default {@link DEFAULT_DAYS}. */
  days?: number;
  /** Lifetime of a newly created CA in days; default {@link DEFAULT_CA_DAYS}. */
  caDays?: number;
  /** Key type of both the CA and the serving certificate; default `rsa`. */
  keyType?: KeyType;
}

/** One problem with a request, with the path of the field it concerns (`hosts[1]`). */
export interface FieldError {
  field: string;
  message: string;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && name.split('.').every((l) => l.length <= 63 && DNS1123_LABEL.test(l));
}

/**
 * The DNS names the serving certificate must carry: the four names a Service is reached by
 * inside a cluster, then the extra hosts, without duplicates.
 */
export function servingDnsNames(service: string, namespace: string, hosts: readonly string[] = []): string[] {
  const names = [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    ...hosts,
  ];
  return [...new Set(names)];
}

/** The IP addresses the serving certificate must carry, without duplicates. */
export function servingIpAddresses(ips: readonly string[] = []): string[] {
  return [...new Set(ips)];
}

function checkDays(field: string, value: number | undefined): FieldError[] {
  if (value === undefined) return [];
  if (!Number.isInteger(value) || value < 1 || value > 36500) {
    return [{ field, message: `must be a whole number of days between 1 and 36500, got ${value}` }];
  }
  return [];
}

/**
 * Checks a request and returns every problem found (none when it is valid), each with its
 * field path, so a caller can report them all at once.
 */
export function validateCertificateRequest(req: CertificateRequest): FieldError[] {
  const errors: FieldError[] = [];
  if (!(req.service.length <= 63 && DNS1035_LABEL.test(req.service))) {
    errors.push({
      field: 'service',
      message: `"${req.service}" is not a valid Service name (a DNS-1035 label: lower-case letters, digits and '-', starting with a letter, at most 63 characters)`,
    });
  }
  if (!(req.namespace.length <= 63 && DNS1123_LABEL.test(req.namespace))) {
    errors.push({
      field: 'namespace',
      message: `"${req.namespace}" is not a valid namespace name (a DNS-1123 label: lower-case letters, digits and '-', at most 63 characters)`,
    });
  }
  for (const [i, host] of (req.hosts ?? []).entries()) {
    const bare = host.startsWith('*.') ? host.slice(2) : host;
    if (!isDns1123Subdomain(bare)) {
      errors.push({
        field: `hosts[${i}]`,
        message: `"${host}" is not a valid DNS name (lower-case letters, digits, '-' and '.', optionally starting with '*.')`,
      });
    }
  }
  for (const [i, ip] of (req.ips ?? []).entries()) {
    if (isIP(ip) === 0)
      errors.push({ field: `ips[${i}]`, message: `"${ip}" is not an IPv4 or IPv6 address` });
  }
  const dayErrors = [...checkDays('days', req.days), ...checkDays('caDays', req.caDays)];
  errors.push(...dayErrors);
  if (dayErrors.length === 0 && req.days !== undefined && req.caDays !== undefined && req.caDays < req.days) {
    errors.push({ field: 'caDays', message: `must not be less than days (${req.days}), got ${req.caDays}` });
  }
  if (req.keyType !== undefined && !KEY_TYPES.includes(req.keyType)) {
    errors.push({
      field: 'keyType',
      message: `must be one of ${KEY_TYPES.join(', ')}, got "${req.keyType}"`,
    });
  }
  return errors;
}

/** Throws one error listing every problem with the request; returns quietly when it is valid. */
export function assertValidCertificateRequest(req: CertificateRequest): void {
  const errors = validateCertificateRequest(req);
  if (errors.length > 0) {
    throw new Error(
      `invalid certificate request: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    );
  }
}
