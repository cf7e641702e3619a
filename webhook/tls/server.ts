/**
 * TLS for the admission server: the certificate it starts with, and every later one swapped in
 * place.
 */
import type { Server as HttpServer } from 'node:http';
import type { ServerOptions } from 'node:https';
import { Server as TlsServer } from 'node:tls';
import type { CertificatePair, CertificateSource } from './cert-source.ts';

/** Server options for the first certificate. */
export function tlsOptions(pair: CertificatePair): ServerOptions {
  return { cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' };
}

/**
 * Serves every new certificate from source on server through setSecureContext: new connections
 * get it, open ones continue with theirs, and nothing restarts.
 */
export function followCertificates(server: HttpServer | TlsServer, source: CertificateSource): void {
  if (!(server instanceof TlsServer))
    throw new Error('cannot follow certificates: the server does not use TLS');
  source.onChange((pair) => server.setSecureContext(tlsOptions(pair)));
}
