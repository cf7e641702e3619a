/**
 * Whether the hub answers. Its watches alone cannot tell: a silent connection (packets dropped,
 * no reset) keeps a watch open with nothing on it until the informer's idle timeout. So the hub
 * is probed like the members (GET /readyz, bounded), with the same hysteresis: `threshold`
 * failures in a row make it unreachable, one success reachable again. While it is unreachable
 * the syncer keeps the members as they are (its caches are merely stale, nothing is deleted for
 * it); when it answers again, its watches are restarted at once and everything is reconciled.
 */
import type { Logger } from 'pino';
import type { KubeClient } from '../kube/cluster-client.ts';

/** Options of {@link HubHealth}. */
export interface HubHealthOptions {
  client: KubeClient;
  logger: Logger;
  /** Set to 1 while the hub answers, 0 while not (the `hub_ready` gauge). */
  setReady: (ready: boolean) => void;
  /** The hub answers again after an outage. */
  onRecovered: () => void;
  /** Bound of one probe (default 5 s). */
  probeTimeoutMs?: number;
  /** Failed probes in a row before the hub counts as unreachable (default 2). */
  threshold?: number;
  /** Default: GET /readyz on the hub. */
  probe?: () => Promise<void>;
}

/** Probes the hub and reports when it stops and starts answering. */
export class HubHealth {
  private failures = 0;
  private reachable = true;
  private probing = false;

  constructor(private readonly o: HubHealthOptions) {
    o.setReady(true);
  }

  /** Whether the hub answered its last probes. */
  get ready(): boolean {
    return this.reachable;
  }

  /** Probes once (a probe still running is not doubled). */
  async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    const timeoutMs = this.o.probeTimeoutMs ?? 5_000;
    const probe =
      this.o.probe ??
      (() =>
        this.o.client.request<string>('get', { method: 'GET', path: '/readyz', answer: 'text', timeoutMs }));
    let error: string | undefined;
    try {
      await probe();
    } catch (err) {
      error = (err as Error).message;
    } finally {
      this.probing = false;
    }
    if (error === undefined) {
      this.failures = 0;
      if (this.reachable) return;
      this.reachable = true;
      this.o.setReady(true);
      this.o.logger.info('the hub answers again: restarting its watches and reconciling everything');
      this.o.onRecovered();
      return;
    }
    this.failures++;
    if (!this.reachable || this.failures < (this.o.threshold ?? 2)) return;
    this.reachable = false;
    this.o.setReady(false);
    this.o.logger.warn(
      { failures: this.failures },
      `the hub does not answer (${error}): member clusters are kept as they are until it does`,
    );
  }
}
