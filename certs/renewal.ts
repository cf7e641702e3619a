/**
 * Pure checks on existing certificates: is this serving certificate (or CA) still good
 * enough to keep, and if not, why. The clock is passed in; nothing here does I/O.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { keyTypeOfPrivateKey } from './generate.ts';
import type { KeyType } from './request.ts';

/**
 * A certificate is renewed once less than this fraction of its validity is left, as
 * cert-manager does by default (renewBefore = a third of the duration).
 */
export const RENEW_WHEN_LEFT = 1 / 3;

const SERVER_AUTH_OID = '1.3.6.1.5.5.7.3.1';

/** What the certificate is expected to match, beyond being current. All optional. */
export interface RenewalExpectations {
  /** The private key served with it (PEM); it must belong to the certificate. */
  keyPem?: string;
  /** The CA (PEM) that must have signed it. */
  caPem?: string;
  /** DNS names it must cover, literally (a wildcard only covers itself). */
  dnsNames?: readonly string[];
  /** IP addresses it must cover. */
  ipAddresses?: readonly string[];
  /** The key type its public key must have. */
  keyType?: KeyType;
}

/** The validity period of a PEM certificate. Throws when it cannot be parsed. */
export function certificateValidity(certPem: string): { notBefore: Date; notAfter: Date } {
  const x509 = new X509Certificate(certPem);
  return { notBefore: new Date(x509.validFrom), notAfter: new Date(x509.validTo) };
}

function parse(pem: string): X509Certificate | string {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    return (err as Error).message;
  }
}

function publicKeyType(x509: X509Certificate): KeyType | undefined {
  const type = x509.publicKey.asymmetricKeyType;
  return type === 'rsa' ? 'rsa' : type === 'ec' ? 'ecdsa' : undefined;
}

/** Why a certificate's validity period calls for renewal at `now`, or undefined when it does not. */
function lifetimeReason(x509: X509Certificate, now: Date): string | undefined {
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (now < notBefore) return `it is not valid before ${notBefore.toISOString()}`;
  if (now >= notAfter) return `it expired at ${notAfter.toISOString()}`;
  const left = notAfter.getTime() - now.getTime();
  if (left < (notAfter.getTime() - notBefore.getTime()) * RENEW_WHEN_LEFT) {
    return `it expires at ${notAfter.toISOString()}, less than a third of its validity from now`;
  }
  return undefined;
}

/** Why `keyPem` does not belong to `x509`, or undefined when it does. */
function keyMismatchReason(x509: X509Certificate, keyPem: string): string | undefined {
  try {
    return x509.checkPrivateKey(createPrivateKey(keyPem)) ? undefined : 'its private key does not match it';
  } catch (err) {
    return `its private key cannot be parsed: ${(err as Error).message}`;
  }
}

/**
 * Why the serving certificate `certPem` should be replaced at `now`, or undefined when it
 * can be kept: unparsable, not yet or no longer valid, less than a third of its validity
 * left, a key that does not match, not signed by the expected CA, without serverAuth, a
 * wanted DNS name or IP missing from its SANs, or the wrong key type.
 */
export function renewalReason(
  certPem: string,
  now: Date,
  expect: RenewalExpectations = {},
): string | undefined {
  const x509 = parse(certPem);
  if (typeof x509 === 'string') return `the certificate cannot be parsed: ${x509}`;
  if (expect.keyPem !== undefined) {
    const reason = keyMismatchReason(x509, expect.keyPem);
    if (reason) return `the certificate is unusable: ${reason}`;
  }
  if (expect.caPem !== undefined) {
    const ca = parse(expect.caPem);
    if (typeof ca === 'string') return `the CA certificate cannot be parsed: ${ca}`;
    if (!x509.checkIssued(ca) || !x509.verify(ca.publicKey)) return 'the certificate is not signed by the CA';
  }
  if (x509.keyUsage !== undefined && !x509.keyUsage.includes(SERVER_AUTH_OID)) {
    return 'the certificate is not for TLS servers (no serverAuth extended key usage)';
  }
  const lifetime = lifetimeReason(x509, now);
  if (lifetime) return `the certificate must be renewed: ${lifetime}`;
  const options = { subject: 'never', wildcards: false, partialWildcards: false } as const;
  for (const name of expect.dnsNames ?? []) {
    if (x509.checkHost(name, options) === undefined)
      return `the certificate does not cover DNS name "${name}"`;
  }
  for (const ip of expect.ipAddresses ?? []) {
    if (x509.checkIP(ip) === undefined) return `the certificate does not cover IP address ${ip}`;
  }
  const keyType = publicKeyType(x509);
  if (expect.keyType !== undefined && keyType !== expect.keyType) {
    return `the certificate has a ${keyType ?? 'unknown'} key, ${expect.keyType} is wanted`;
  }
  return undefined;
}

/**
 * True when the serving certificate should be replaced at `now` (see {@link renewalReason}):
 * less than a third of its validity is left, it cannot be parsed, or it does not match the
 * expectations given.
 */
export function needsRenewal(certPem: string, now: Date, expect: RenewalExpectations = {}): boolean {
  return renewalReason(certPem, now, expect) !== undefined;
}

/**
 * Why a stored CA cannot sign the next serving certificate, or undefined when it can:
 * missing, unparsable, not a CA, a key that does not match, less than a third of its
 * validity left, or a key type other than `keyType` (selfsigned signs only with a CA key of
 * the new key's type).
 */
export function caRenewalReason(
  ca: { cert?: string | undefined; key?: string | undefined },
  now: Date,
  keyType?: KeyType,
): string | undefined {
  if (ca.cert === undefined || ca.key === undefined) {
    return `the CA ${ca.cert === undefined ? 'certificate' : 'private key'} is missing`;
  }
  const x509 = parse(ca.cert);
  if (typeof x509 === 'string') return `the CA certificate cannot be parsed: ${x509}`;
  if (!x509.ca) return 'the CA certificate is not a CA (basicConstraints CA:FALSE)';
  const mismatch = keyMismatchReason(x509, ca.key);
  if (mismatch) return `the CA is unusable: ${mismatch}`;
  const lifetime = lifetimeReason(x509, now);
  if (lifetime) return `the CA must be replaced: ${lifetime}`;
  const caKeyType = keyTypeOfPrivateKey(ca.key);
  if (keyType !== undefined && caKeyType !== keyType) {
    return `the CA has a ${caKeyType ?? 'unknown'} key, ${keyType} is wanted`;
  }
  return undefined;
}
