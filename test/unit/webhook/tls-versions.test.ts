/**
 * TLS 1.2 and newer only, on a real socket: the admission server as main.ts builds it
 * (tlsOptions, also after a certificate rotation) refuses TLS 1.0 and 1.1 clients and serves
 * TLS 1.2 and 1.3 ones. It does so by its own minVersion, not by Node's defaults: it still
 * refuses where those defaults allow TLS 1.0 (NODE_OPTIONS=--tls-min-v1.0, weak ciphers), where a
 * control server without our minVersion accepts the same client.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import tls from 'node:tls';
import type { buildApp } from '../../../webhook/app.ts';
import type { CertificatePair, CertificateSource } from '../../../webhook/tls/cert-source.ts';
import { followCertificates, tlsOptions } from '../../../webhook/tls/server.ts';
import { reliabilityCase } from '../../reliability/case.ts';
import { fuzzApp, loopbackCertificate } from './fuzz-harness.ts';

/** OpenSSL 3 only offers TLS 1.0 and 1.1 at security level 0; the client must be able to ask for them. */
const OLD_PROTOCOL_CIPHERS = 'DEFAULT@SECLEVEL=0';

type Outcome = { protocol: string | null } | { refused: string };

/** Connects offering exactly `version`; how the handshake ended. */
function handshake(port: number, ca: string, version: tls.SecureVersion): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      ca,
      minVersion: version,
      maxVersion: version,
      ciphers: OLD_PROTOCOL_CIPHERS,
    });
    socket.once('secureConnect', () => {
      resolve({ protocol: socket.getProtocol() });
      socket.end();
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve({ refused: err.code ?? err.message }));
  });
}

describe('TLS versions of the admission server', () => {
  let ca = '';
  let pair: CertificatePair;
  let app: ReturnType<typeof buildApp>;
  let lowered: ReturnType<typeof buildApp>;
  let control: ReturnType<typeof buildApp>;
  const defaults = { minVersion: tls.DEFAULT_MIN_VERSION, ciphers: tls.DEFAULT_CIPHERS };
  const rotate: ((pair: CertificatePair) => void)[] = [];
  /** A certificate source whose new pairs the test hands out. */
  const rotations = {
    onChange: (listener: (pair: CertificatePair) => void) => rotate.push(listener),
  } as unknown as CertificateSource;
  const port = (a: ReturnType<typeof buildApp>) => (a.server.address() as AddressInfo).port;

  before(async () => {
    ({ pair, caCert: ca } = await loopbackCertificate());
    app = fuzzApp({ https: tlsOptions(pair) }).app;
    // As main.ts: every new certificate goes through followCertificates.
    followCertificates(app.server, rotations);
    // As if the process ran with NODE_OPTIONS=--tls-min-v1.0 and weak default ciphers.
    tls.DEFAULT_MIN_VERSION = 'TLSv1';
    tls.DEFAULT_CIPHERS = OLD_PROTOCOL_CIPHERS;
    lowered = fuzzApp({ https: tlsOptions(pair) }).app;
    followCertificates(lowered.server, rotations);
    const { minVersion: _ours, ...withoutMinVersion } = tlsOptions(pair);
    control = fuzzApp({ https: withoutMinVersion }).app;
    for (const a of [app, lowered, control]) await a.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    tls.DEFAULT_MIN_VERSION = defaults.minVersion;
    tls.DEFAULT_CIPHERS = defaults.ciphers;
    for (const a of [app, lowered, control]) await a?.close();
  });

  it('refuses TLS 1.0 and 1.1 clients and serves TLS 1.2 and 1.3 ones, also after a certificate rotation', async () => {
    reliabilityCase(
      'Security',
      'Webhook TLS versions',
      'On a real socket, the server as main.ts builds it refuses TLS 1.0/1.1 handshakes (protocol-version alert) and completes 1.2/1.3 ones, before and after a certificate rotation; a server allowing 1.1 accepts the same client',
    );
    const control11 = await handshake(port(control), ca, 'TLSv1.1');
    assert.deepEqual(
      control11,
      { protocol: 'TLSv1.1' },
      'the client can speak TLS 1.1 to a server that allows it',
    );

    for (const round of ['before rotation', 'after rotation']) {
      for (const version of ['TLSv1', 'TLSv1.1'] as const) {
        const outcome = await handshake(port(app), ca, version);
        assert.ok('refused' in outcome, `${version} ${round}: refused, but got ${JSON.stringify(outcome)}`);
        assert.match(outcome.refused, /PROTOCOL_VERSION|UNSUPPORTED_PROTOCOL/, `${version} ${round}`);
      }
      const weak = await handshake(port(lowered), ca, 'TLSv1.1');
      assert.ok(
        'refused' in weak,
        `TLSv1.1 refused by minVersion alone ${round}, got ${JSON.stringify(weak)}`,
      );
      for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
        assert.deepEqual(
          await handshake(port(app), ca, version),
          { protocol: version },
          `${version} ${round}`,
        );
      }
      const next = await loopbackCertificate();
      for (const listener of rotate) listener(next.pair);
      ca = next.caCert;
    }
  });
});
