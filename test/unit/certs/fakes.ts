/**
 * In-memory fakes of the interfaces `certs/ensure.ts` does its I/O through, recording every
 * write so tests can assert the exact list.
 */
import {
  type CABundlePatcher,
  ConflictError,
  type SecretRef,
  type SecretStore,
  type StoredSecret,
  type WebhookConfigurationRef,
} from '../../../certs/ensure.ts';

/** One write a fake performed. */
export type Write =
  | { verb: 'create'; secret: string }
  | { verb: 'update'; secret: string; fromResourceVersion: string }
  | { verb: 'patch'; config: string };

/**
 * A Secret store that keeps Secrets in a map and bumps a resourceVersion on every write,
 * answering a write based on a stale resourceVersion with a ConflictError, like the API
 * server. `holdReads(n)` makes the next n reads wait for each other, so n callers all see
 * the same state before any of them writes: the race two replicas run at start-up.
 */
export class InMemorySecretStore implements SecretStore {
  readonly writes: Write[] = [];
  reads = 0;
  private readonly secrets = new Map<string, StoredSecret>();
  private version = 100;
  private held: { count: number; release: () => void; arrived: Promise<void> } | undefined;

  constructor(initial: Record<string, Record<string, string>> = {}) {
    for (const [key, data] of Object.entries(initial)) this.put(key, data);
  }

  private put(key: string, data: Record<string, string>): StoredSecret {
    const stored = { data: { ...data }, resourceVersion: String(++this.version) };
    this.secrets.set(key, stored);
    return { data: { ...stored.data }, resourceVersion: stored.resourceVersion };
  }

  /** Sets a Secret's data directly, as another writer would: no write is recorded. */
  replaceBehindTheScenes(ref: SecretRef, data: Record<string, string>): void {
    this.put(`${ref.namespace}/${ref.name}`, data);
  }

  /** The data currently stored, or undefined. */
  dataOf(ref: SecretRef): Record<string, string> | undefined {
    return this.secrets.get(`${ref.namespace}/${ref.name}`)?.data;
  }

  holdReads(count: number): void {
    let release = () => {};
    const arrived = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.held = { count, release, arrived };
  }

  async read(ref: SecretRef): Promise<StoredSecret | undefined> {
    this.reads += 1;
    const stored = this.secrets.get(`${ref.namespace}/${ref.name}`);
    const snapshot = stored && { data: { ...stored.data }, resourceVersion: stored.resourceVersion };
    const held = this.held;
    if (held) {
      held.count -= 1;
      if (held.count === 0) {
        this.held = undefined;
        held.release();
      }
      await held.arrived;
    }
    return snapshot;
  }

  async create(ref: SecretRef, data: Record<string, string>): Promise<StoredSecret> {
    const key = `${ref.namespace}/${ref.name}`;
    if (this.secrets.has(key)) throw new ConflictError(`failed to create Secret ${key}: already exists`);
    this.writes.push({ verb: 'create', secret: key });
    return this.put(key, data);
  }

  async update(ref: SecretRef, data: Record<string, string>, resourceVersion: string): Promise<StoredSecret> {
    const key = `${ref.namespace}/${ref.name}`;
    const stored = this.secrets.get(key);
    if (stored?.resourceVersion !== resourceVersion) {
      throw new ConflictError(`failed to update Secret ${key}: the object has been modified`);
    }
    this.writes.push({ verb: 'update', secret: key, fromResourceVersion: resourceVersion });
    return this.put(key, { ...stored.data, ...data });
  }
}

/** A patcher that remembers each configuration's CA and records a write only when it changes. */
export class RecordingPatcher implements CABundlePatcher {
  readonly writes: Write[] = [];
  readonly caBundles = new Map<string, string>();

  constructor(private readonly failWith?: Error) {}

  async setCABundle(ref: WebhookConfigurationRef, caPem: string): Promise<boolean> {
    if (this.failWith) throw this.failWith;
    const key = `${ref.kind}/${ref.name}`;
    if (this.caBundles.get(key) === caPem) return false;
    this.caBundles.set(key, caPem);
    this.writes.push({ verb: 'patch', config: key });
    return true;
  }
}
