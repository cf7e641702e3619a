/**
 * Our own writes, as their watch events come back. Each write the syncer makes returns
 * the object's new resourceVersion; when the watch then delivers exactly that version,
 * nothing happened that the syncer does not already know, and requeueing the MCS would
 * only plan again what was just carried out. At a cold start with thousands of MCS those
 * echoes were most of the queue: each MCS came back once per copy, per Service, and for
 * its own status and finalizer. A version we did not write — anyone else's change —
 * always requeues.
 */

/** Where an object lives, for matching its echo. */
export interface ObjectRef {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
}

const key = (r: ObjectRef) => `${r.cluster}\u0000${r.kind}\u0000${r.namespace}\u0000${r.name}`;

/** Remembers the versions of our recent writes until their events arrive. */
export class WriteEchoes {
  /** Per object, the versions our writes left it at (a reconcile may write one twice). */
  private readonly written = new Map<string, { versions: Set<string>; at: number }>();

  constructor(
    private readonly now: () => number,
    /** A write whose event never came (coalesced by the watch) is forgotten after this long. */
    private readonly ttlMs = 60_000,
  ) {}

  /** Notes a write that left the object at `version`, or a delete (`version` undefined). */
  wrote(ref: ObjectRef, version: string | undefined): void {
    const k = key(ref);
    const entry = this.written.get(k) ?? { versions: new Set<string>(), at: 0 };
    entry.versions.add(version ?? DELETED);
    entry.at = this.now();
    this.written.set(k, entry);
  }

  /**
   * True when this event is the echo of our last write of that object (and forgets it).
   * `version` is the event's resourceVersion; `deleted` whether it is a delete event.
   */
  isEcho(ref: ObjectRef, version: string | undefined, deleted: boolean): boolean {
    const k = key(ref);
    const w = this.written.get(k);
    const v = deleted ? DELETED : version;
    if (!w || v === undefined || !w.versions.delete(v)) return false;
    if (w.versions.size === 0) this.written.delete(k);
    return true;
  }

  /** Drops writes whose events never came. */
  sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [k, w] of this.written) if (w.at < cutoff) this.written.delete(k);
  }

  /** How many writes are waiting for their echo (for tests). */
  get size(): number {
    return this.written.size;
  }
}

const DELETED = '\u0000deleted';
