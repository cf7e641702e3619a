/**
 * Self-managed TLS: the webhook keeps its serving certificate in a Secret with
 * {@link ensureServingCertificate} (creating or renewing it, and setting the caBundle of its
 * webhook configurations), and writes it to the certificate and key files that
 * {@link CertificateSource} serves and reloads. At start-up it retries until the first
 * certificate is in place; then it checks again every interval, so a certificate near expiry
 * is renewed, and one another replica renewed is picked up, without a restart.
 */

import { chmod, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import {
  type EnsureAction,
  type EnsureDependencies,
  type EnsureResult,
  ensureServingCertificate,
  type WebhookConfigurationRef,
} from '../../certs/ensure.ts';
import { RetryBackoff } from '../../lib/backoff.ts';
import { realTimers, type Timers } from '../../lib/timers.ts';
import type { SelfManagedTlsOptions } from './self-managed-options.ts';

/** How the certificate is kept, where it is written, and what it reports to. */
export interface SelfManagedCertificateOptions {
  tls: SelfManagedTlsOptions;
  certFile: string;
  keyFile: string;
  /** The Secret store and caBundle patcher (client-node in the process, fakes in tests). */
  deps: EnsureDependencies;
  logger: Logger;
  now: () => Date;
  /** Counts every check by what it did: an ensure action, or `error`. */
  checks?: Counter<'result'>;
  /**
   * Waits between failed start-up attempts: `retryMs` (default 1 s) doubling up to `maxRetryMs`
   * (30 s), each lengthened by up to half of itself at random, so replicas started together
   * do not retry together.
   */
  retryMs?: number;
  maxRetryMs?: number;
  /** Timers of the start-up retries (default: the real ones). */
  timers?: Timers;
  /** Random numbers in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
  /** Called after new files were written (main.ts reloads the certificate source at once). */
  onWritten?: (result: EnsureResult) => void;
}

/** Every configuration the options name, mutating first. */
export function webhookConfigurationRefs(tls: SelfManagedTlsOptions): WebhookConfigurationRef[] {
  return [
    ...tls.mutatingWebhookConfigs.map((name) => ({ kind: 'MutatingWebhookConfiguration' as const, name })),
    ...tls.validatingWebhookConfigs.map((name) => ({
      kind: 'ValidatingWebhookConfiguration' as const,
      name,
    })),
  ];
}

/**
 * Replaces `file` with `content` through a temporary file and a rename, so a reader never
 * sees half of it. The key is created owner-readable only.
 */
async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await rm(temp, { force: true });
    await writeFile(temp, content, { mode, flag: 'wx' });
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (err) {
    await rm(temp, { force: true });
    throw new Error(`failed to write ${file}: ${(err as Error).message}`);
  }
}

/** Keeps the Secret, the webhook configurations and the served files in step. */
export class SelfManagedCertificate {
  private written: { cert: string; key: string } | undefined;
  private lastError: string | undefined = 'the certificate has not been checked yet';
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private checking: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: SelfManagedCertificateOptions) {}

  /** Why no self-managed certificate has been written yet (undefined once one has). */
  notReadyReason(): string | undefined {
    if (this.written) return undefined;
    return `the self-managed certificate in Secret ${this.secretRef()} is not in place yet: ${this.lastError}`;
  }

  /**
   * Checks once: ensures the Secret and the caBundles, and writes the files when the
   * certificate differs from the one written last. Returns what ensure did; throws on failure.
   */
  check(): Promise<EnsureResult> {
    const run = this.checking.then(() => this.checkOnce());
    this.checking = run.catch(() => undefined);
    return run;
  }

  /**
   * Retries {@link check} (1 s, doubling up to 30 s) until it succeeds or {@link stop} is
   * called, then checks every interval. Resolves true once a certificate is written, false
   * when stopped first.
   */
  async start(): Promise<boolean> {
    const backoff = new RetryBackoff(
      { baseMs: this.o.retryMs ?? 1000, factor: 2, jitter: 0.5, capMs: this.o.maxRetryMs ?? 30_000 },
      this.o.random,
    );
    while (!this.stopped) {
      try {
        await this.check();
        break;
      } catch {
        await this.sleep(backoff.next());
      }
    }
    if (this.stopped) return false;
    this.timer = setInterval(() => void this.check().catch(() => undefined), this.o.tls.checkIntervalMs);
    this.timer.unref();
    return true;
  }

  /** Stops checking; a check under way finishes. */
  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    this.wake?.();
  }

  private secretRef(): string {
    return `${this.o.tls.secretNamespace}/${this.o.tls.secretName}`;
  }

  private async checkOnce(): Promise<EnsureResult> {
    const { tls, logger } = this.o;
    let result: EnsureResult;
    try {
      result = await ensureServingCertificate(this.o.deps, {
        service: tls.service,
        namespace: tls.secretNamespace,
        hosts: tls.hosts,
        ips: tls.ips,
        days: tls.days,
        keyType: tls.keyType,
        secret: { namespace: tls.secretNamespace, name: tls.secretName },
        webhookConfigurations: webhookConfigurationRefs(tls),
        now: this.o.now(),
      });
      const { cert, key } = result.bundle;
      if (this.written?.cert !== cert || this.written.key !== key) {
        // The key first: a reader that sees the new certificate with the old key fails to
        // load the pair and keeps the previous one until the next read.
        await writeAtomically(this.o.keyFile, key, 0o600);
        await writeAtomically(this.o.certFile, cert, 0o644);
        this.written = { cert, key };
        this.log(result);
        this.o.onWritten?.(result);
      } else if (result.patched.length > 0) {
        this.log(result);
      }
    } catch (err) {
      const message = (err as Error).message;
      if (message !== this.lastError) {
        logger.error(
          { secret: this.secretRef() },
          this.written ? `${message}; still serving the current certificate` : message,
        );
      }
      this.lastError = message;
      this.o.checks?.inc({ result: 'error' });
      throw err;
    }
    this.lastError = undefined;
    this.o.checks?.inc({ result: result.action satisfies EnsureAction });
    return result;
  }

  private log(result: EnsureResult): void {
    this.o.logger.info(
      {
        secret: this.secretRef(),
        action: result.action,
        reason: result.reason,
        patched: result.patched.map((p) => `${p.kind}/${p.name}`),
      },
      'self-managed serving certificate in place',
    );
  }

  private sleep(ms: number): Promise<void> {
    const timers = this.o.timers ?? realTimers;
    return new Promise((resolve) => {
      const timer = timers.setTimeout(resolve, ms);
      this.wake = () => {
        timers.clearTimeout(timer);
        resolve();
      };
    });
  }
}
