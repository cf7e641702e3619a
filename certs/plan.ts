/**
 * The pure decision behind self-managed TLS: given what the Secret holds now, keep it,
 * issue a new serving certificate with the same CA, or start over with a new CA. And the
 * layout of that Secret.
 */
import type { CertificateAuthority, CertificateBundle } from './generate.ts';
import { caRenewalReason, renewalReason } from './renewal.ts';
import { type CertificateRequest, servingDnsNames, servingIpAddresses } from './request.ts';

/**
 * The Secret's type and keys. `tls.crt`/`tls.key` make it a standard `kubernetes.io/tls`
 * Secret, `ca.crt` is what cert-manager puts there too.
 *
 * `ca.key` is kept beside them so a renewal signs the new serving certificate with the same
 * CA: the caBundle in the webhook configurations then does not change, and there is no
 * moment where the API server trusts one CA while a replica still serves a certificate from
 * another. The CA signs nothing else and is trusted only through this webhook's caBundle,
 * so whoever can read its key could already read `tls.key` and impersonate the webhook; it
 * adds no power. A CA is replaced only when it is itself a third from expiry, unusable, or
 * of another key type, and only then does the caBundle change.
 */
export const TLS_SECRET = {
  type: 'kubernetes.io/tls',
  cert: 'tls.crt',
  key: 'tls.key',
  caCert: 'ca.crt',
  caKey: 'ca.key',
} as const;

/** What a Secret's data (decoded) holds of a bundle; any part may be missing. */
export function bundleFromSecretData(
  data: Readonly<Record<string, string>>,
): Partial<Record<keyof CertificateBundle, string>> {
  return {
    cert: data[TLS_SECRET.cert],
    key: data[TLS_SECRET.key],
    caCert: data[TLS_SECRET.caCert],
    caKey: data[TLS_SECRET.caKey],
  };
}

/** A bundle as Secret data (decoded; the store encodes it). */
export function secretDataFromBundle(bundle: CertificateBundle): Record<string, string> {
  return {
    [TLS_SECRET.cert]: bundle.cert,
    [TLS_SECRET.key]: bundle.key,
    [TLS_SECRET.caCert]: bundle.caCert,
    [TLS_SECRET.caKey]: bundle.caKey,
  };
}

/** What to do about the stored certificate. */
export type CertificatePlan =
  /** The stored bundle is good: serve it. */
  | { action: 'reuse'; bundle: CertificateBundle }
  /** Issue a new serving certificate, signed by `ca` when given, else by a new CA. */
  | { action: 'issue'; reason: string; ca: CertificateAuthority | undefined };

/**
 * Decides, from the bundle stored in the Secret (undefined when there is no Secret), whether
 * to keep it or issue a new certificate, and whether its CA can sign that one.
 * `force` issues a new serving certificate even when the stored one is good (its CA is kept).
 */
export function planServingCertificate(
  stored: Partial<Record<keyof CertificateBundle, string>> | undefined,
  req: CertificateRequest,
  now: Date,
  { force = false }: { force?: boolean } = {},
): CertificatePlan {
  if (stored === undefined) return { action: 'issue', reason: 'the Secret does not exist', ca: undefined };
  const caReason = caRenewalReason({ cert: stored.caCert, key: stored.caKey }, now, req.keyType ?? 'rsa');
  if (caReason !== undefined || stored.caCert === undefined || stored.caKey === undefined) {
    return { action: 'issue', reason: caReason ?? 'the CA is missing', ca: undefined };
  }
  const ca = { cert: stored.caCert, key: stored.caKey };
  if (force) return { action: 'issue', reason: 'a new certificate was requested', ca };
  if (stored.cert === undefined) return { action: 'issue', reason: 'the certificate is missing', ca };
  if (stored.key === undefined) return { action: 'issue', reason: 'the private key is missing', ca };
  const reason = renewalReason(stored.cert, now, {
    keyPem: stored.key,
    caPem: stored.caCert,
    dnsNames: servingDnsNames(req.service, req.namespace, req.hosts),
    ipAddresses: servingIpAddresses(req.ips),
    keyType: req.keyType ?? 'rsa',
  });
  if (reason !== undefined) return { action: 'issue', reason, ca };
  return {
    action: 'reuse',
    bundle: { caCert: stored.caCert, caKey: stored.caKey, cert: stored.cert, key: stored.key },
  };
}
