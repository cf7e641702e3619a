/**
 * The serving certificate, read from a PEM certificate file and a PEM key file and read again
 * whenever they change, so a rotated certificate is served without a restart.
 *
 * The directories are watched rather than the files: Kubernetes updates a mounted Secret by
 * swapping a symlink, which a watch on the old file never sees. Events are debounced, and a slow
 * poll catches anything a watch misses. A new pair that does not load (half-written, key and
 * certificate not matching) is logged and ignored: the previous certificate stays in use.
 */

import { X509Certificate } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Logger } from 'pino';

/** A certificate and key that load together. */
export interface CertificatePair {
  cert: string;
  key: string;
  /** When the certificate expires. */
  notAfter: Date;
  secureContext: SecureContext;
}

/** Where the files are and how to react to them. */
export interface CertificateSourceOptions {
  certFile: string;
  keyFile: string;
  logger: Logger;
  /** Wait this long after the last file event before reading (default 250 ms). */
  debounceMs?: number;
  /** Watch the directories for changes (default true); polling alone when false. */
  watch?: boolean;
  /** Read the files this often even without events (default 30 s; 0 turns polling off). */
  pollIntervalMs?: number;
  /** Called after every load attempt, e.g. to count it. */
  onLoad?: (result: 'success' | 'failure', pair?: CertificatePair) => void;
}

/** Reads and checks a pair; throws an error naming the files when they do not load together. */
export async function loadCertificatePair(certFile: string, keyFile: string): Promise<CertificatePair> {
  try {
    const [cert, key] = await Promise.all([readFile(certFile, 'utf8'), readFile(keyFile, 'utf8')]);
    // Throws on bad PEM and on a key that does not belong to the certificate.
    const secureContext = createSecureContext({ cert, key });
    const notAfter = new Date(new X509Certificate(cert).validTo);
    return { cert, key, notAfter, secureContext };
  } catch (err) {
    throw new Error(
      `failed to load the serving certificate from ${certFile} and ${keyFile}: ${(err as Error).message}`,
    );
  }
}

/** Keeps the current certificate pair and tells listeners when it changes. */
export class CertificateSource {
  private pair: CertificatePair | undefined;
  private readonly listeners: ((pair: CertificatePair) => void)[] = [];
  private readonly watchers: FSWatcher[] = [];
  private debounce: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private loading: Promise<void> = Promise.resolve();
  private lastError: string | undefined = 'the certificate files have not been read yet';

  constructor(private readonly opts: CertificateSourceOptions) {}

  /** The pair in use, or undefined until one has loaded. */
  current(): CertificatePair | undefined {
    return this.pair;
  }

  /** Why no certificate is in use (undefined once one is). */
  notReadyReason(): string | undefined {
    return this.pair ? undefined : this.lastError;
  }

  /** Registers a listener for every new pair (not called for the one already loaded). */
  onChange(listener: (pair: CertificatePair) => void): void {
    this.listeners.push(listener);
  }

  /** Reads the files once and starts watching them. A first failure is logged, not thrown. */
  async start(): Promise<void> {
    const dirs = this.opts.watch === false ? [] : [dirname(this.opts.certFile), dirname(this.opts.keyFile)];
    for (const dir of new Set(dirs)) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.schedule());
        watcher.on('error', (err) =>
          this.opts.logger.warn({ err, dir }, 'stopped watching a certificate directory'),
        );
        this.watchers.push(watcher);
      } catch (err) {
        this.opts.logger.warn({ err, dir }, 'cannot watch the certificate directory; relying on polling');
      }
    }
    const interval = this.opts.pollIntervalMs ?? 30_000;
    if (interval > 0) {
      this.poll = setInterval(() => this.schedule(), interval);
      this.poll.unref();
    }
    await this.reload();
  }

  /** Resolves once a certificate is in use. */
  async ready(): Promise<CertificatePair> {
    const pair = this.pair;
    if (pair) return pair;
    return new Promise((resolve) => this.listeners.push((p) => resolve(p)));
  }

  /** Stops watching and polling. */
  stop(): void {
    for (const w of this.watchers.splice(0)) w.close();
    clearTimeout(this.debounce);
    clearInterval(this.poll);
  }

  private schedule(): void {
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload(), this.opts.debounceMs ?? 250);
  }

  /** Reads the files again (one read at a time); resolves when done, whatever the outcome. */
  reload(): Promise<void> {
    this.loading = this.loading.then(() => this.readOnce());
    return this.loading;
  }

  private async readOnce(): Promise<void> {
    const { certFile, keyFile, logger } = this.opts;
    let next: CertificatePair;
    try {
      next = await loadCertificatePair(certFile, keyFile);
    } catch (err) {
      const message = (err as Error).message;
      // A rotation writes two files; the first read may see only one of them. Say it once.
      if (message !== this.lastError) {
        logger.error(this.pair ? `${message}; still serving the previous certificate` : message);
      }
      this.lastError = message;
      this.opts.onLoad?.('failure');
      return;
    }
    this.lastError = undefined;
    if (this.pair && this.pair.cert === next.cert && this.pair.key === next.key) return;
    this.pair = next;
    logger.info({ certFile, notAfter: next.notAfter.toISOString() }, 'serving certificate loaded');
    this.opts.onLoad?.('success', next);
    for (const listener of this.listeners) listener(next);
  }
}
