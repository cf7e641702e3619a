/**
 * Certificates generated once per test file at fixed dates, ECDSA because it takes
 * milliseconds where RSA takes about a second.
 */
import { type CertificateBundle, generateCertificates } from '../../../certs/generate.ts';
import type { CertificateRequest } from '../../../certs/request.ts';

/** The fixed "now" the fixtures are issued at. */
export const T0 = new Date('2030-01-01T00:00:00Z');

/** One day in milliseconds. */
export const DAY = 24 * 60 * 60 * 1000;

/** `T0` plus a number of days (fractions allowed). */
export function daysAfterT0(days: number): Date {
  return new Date(T0.getTime() + days * DAY);
}

/** The request the fixtures are issued for. */
export const REQUEST: CertificateRequest = {
  service: 'mcs-bridge-webhook',
  namespace: 'mcs-system',
  hosts: ['webhook.example.com'],
  ips: ['127.0.0.1', '::1'],
  days: 90,
  caDays: 3650,
  keyType: 'ecdsa',
};

const cache = new Map<string, Promise<CertificateBundle>>();

/** A bundle for REQUEST issued at T0 (generated once per key, then shared). */
export function fixtureBundle(
  key = 'default',
  overrides: Partial<CertificateRequest> = {},
): Promise<CertificateBundle> {
  let bundle = cache.get(key);
  if (!bundle) {
    bundle = generateCertificates({ ...REQUEST, ...overrides, now: T0 });
    cache.set(key, bundle);
  }
  return bundle;
}
