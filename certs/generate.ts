/**
 * Generates the webhook's CA and its serving certificate with npm `selfsigned` (sha256,
 * RSA 2048 or ECDSA P-256). Everything comes back as PEM; nothing touches the disk.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { generate } from 'selfsigned';
import {
  assertValidCertificateRequest,
  type CertificateRequest,
  DEFAULT_CA_DAYS,
  DEFAULT_DAYS,
  type KeyType,
  servingDnsNames,
  servingIpAddresses,
} from './request.ts';

/** A CA: its certificate and private key, PEM. */
export interface CertificateAuthority {
  cert: string;
  key: string;
}

/** A CA and a serving certificate it signed, all PEM (`key` is PKCS#8). */
export interface CertificateBundle {
  caCert: string;
  caKey: string;
  cert: string;
  key: string;
}

/** A request, the clock, and optionally an existing CA to sign with instead of a new one. */
export interface GenerateOptions extends CertificateRequest {
  /** The current time; validity periods are computed from it. */
  now: Date;
  /** Sign with this CA (it must have the request's key type) instead of creating one. */
  ca?: CertificateAuthority;
}

const DAY_MS = 24 * 60 * 60 * 1000;

// Certificates start one hour in the past, as client-go's GenerateSelfSignedCertKey does, so
// an API server whose clock is a little behind ours does not see a "not yet valid" certificate.
const BACKDATE_MS = 60 * 60 * 1000;

const SELFSIGNED_KEY_TYPE = { rsa: 'rsa', ecdsa: 'ec' } as const;

/** The key type of a PEM private key, or undefined for a key that is neither RSA nor EC. */
export function keyTypeOfPrivateKey(keyPem: string): KeyType | undefined {
  const type = createPrivateKey(keyPem).asymmetricKeyType;
  return type === 'rsa' ? 'rsa' : type === 'ec' ? 'ecdsa' : undefined;
}

/** Creates a self-signed CA, valid from an hour before `now` for `days` days. */
export async function generateCA(opts: {
  keyType: KeyType;
  days: number;
  now: Date;
}): Promise<CertificateAuthority> {
  // The timestamp tells successive CAs apart in `openssl x509 -subject` output, as client-go does.
  const commonName = `mcs-bridge-ca@${Math.floor(opts.now.getTime() / 1000)}`;
  const pems = await generate([{ name: 'commonName', value: commonName }], {
    keyType: SELFSIGNED_KEY_TYPE[opts.keyType],
    algorithm: 'sha256',
    notBeforeDate: new Date(opts.now.getTime() - BACKDATE_MS),
    notAfterDate: new Date(opts.now.getTime() + opts.days * DAY_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * Issues a serving certificate signed by `ca` for the request's Service names, hosts and IPs,
 * with the serverAuth extended key usage. It never outlives its CA.
 */
export async function issueServingCertificate(
  ca: CertificateAuthority,
  req: CertificateRequest,
  now: Date,
): Promise<{ cert: string; key: string }> {
  const keyType = req.keyType ?? 'rsa';
  const caKeyType = keyTypeOfPrivateKey(ca.key);
  if (caKeyType !== keyType) {
    // selfsigned imports the CA key with the algorithm of the new key, so they must agree.
    throw new Error(`cannot sign a ${keyType} certificate with a ${caKeyType ?? 'unknown'} CA key`);
  }
  const caNotAfter = new Date(new X509Certificate(ca.cert).validTo);
  const wantedNotAfter = new Date(now.getTime() + (req.days ?? DEFAULT_DAYS) * DAY_MS);
  const pems = await generate([{ name: 'commonName', value: `${req.service}.${req.namespace}.svc` }], {
    keyType: SELFSIGNED_KEY_TYPE[keyType],
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - BACKDATE_MS),
    notAfterDate: wantedNotAfter < caNotAfter ? wantedNotAfter : caNotAfter,
    ca,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      // keyEncipherment only means something for RSA key exchange (RFC 5480 section 3).
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: keyType === 'rsa', critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          ...servingDnsNames(req.service, req.namespace, req.hosts).map((value) => ({
            type: 2 as const,
            value,
          })),
          ...servingIpAddresses(req.ips).map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * Generates a CA (or reuses `opts.ca`) and a serving certificate signed by it. Throws when
 * the request is invalid, naming every bad field.
 */
export async function generateCertificates(opts: GenerateOptions): Promise<CertificateBundle> {
  assertValidCertificateRequest(opts);
  const ca =
    opts.ca ??
    (await generateCA({
      keyType: opts.keyType ?? 'rsa',
      days: opts.caDays ?? DEFAULT_CA_DAYS,
      now: opts.now,
    }));
  const serving = await issueServingCertificate(ca, opts, opts.now);
  return { caCert: ca.cert, caKey: ca.key, cert: serving.cert, key: serving.key };
}
