/**
 * Our own writes, as their watch events come back. Each write the syncer makes returns
 * the object's new resourceVersion; when the watch then delivers exactly that version,
 * nothing happened that the syncer does not already know, and requeueing the MCS would
 * only plan again what was just carried out. At a cold start with thousands of MCS those
 * echoes were most of the queue: each MCS came back once per copy, per Service, and for
 * its own status and finalizer. A version we did not write — anyone else's change —
 * always requeues.
 *
 * The watch event often arrives before the HTTP answer that tells which version to
 * expect (both come over loopback, and the event is not behind the answer). So a write
 * is announced before it is sent: events for an object being written are held until its
 * answer arrives, then dropped if they were its echo and passed on otherwise.
 */

/** Where an object lives, for matching its echo. */
export interface ObjectRef {
  cluster: string;
  kind: string;
  namespace: string;
  name: string;
}

const key = (r: ObjectRef) => `${r.cluster}\u0000${r.kind}\u0000${r.namespace}\u0000${r.name}`;
const DELETED = '\u0000deleted';

interface Entry {
  /** Writes sent and not answered yet. */
  inFlight: number;
  /** Versions our answered writes left the object at. */
  versions: Set<string>;
  /** Events that came while a write was in flight: their version and what to do if they are not echoes. */
  held: Array<{ version: string; onChange: () => void }>;
  at: number;
}

/** Remembers our writes until their events arrive. */
export class WriteEchoes {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly now: () => number,
    /** A write whose event never came (coalesced by the watch) is forgotten after this long. */
    private readonly ttlMs = 60_000,
  ) {}

  /** Announces a write about to be sent. Pair with {@link answered}. */
  sending(ref: ObjectRef): void {
    const e = this.entry(ref);
    e.inFlight++;
    e.at = this.now();
  }

  /**
   * The write was answered: it left the object at `version`, or deleted it (`'deleted'`),
   * or failed (`'failed'`). Held events that were not its echo are passed on now.
   */
  answered(ref: ObjectRef, outcome: string | 'deleted' | 'failed' | undefined): void {
    const k = key(ref);
    const e = this.entries.get(k);
    if (!e) return;
    e.inFlight = Math.max(0, e.inFlight - 1);
    e.at = this.now();
    if (outcome !== undefined && outcome !== 'failed')
      e.versions.add(outcome === 'deleted' ? DELETED : outcome);
    if (e.inFlight > 0) return;
    const held = e.held.splice(0);
    let changed: (() => void) | undefined;
    for (const h of held) if (!e.versions.delete(h.version)) changed = h.onChange;
    changed?.();
    if (e.versions.size === 0) this.entries.delete(k);
  }

  /**
   * Decides about an event: true when it is the echo of one of our writes (drop it) or is
   * held until a write in flight is answered (`onChange` is then called if it was not an
   * echo); false when the caller should act on it now.
   */
  absorbs(ref: ObjectRef, version: string | undefined, deleted: boolean, onChange: () => void): boolean {
    const e = this.entries.get(key(ref));
    const v = deleted ? DELETED : version;
    if (!e || v === undefined) return false;
    if (e.inFlight > 0) {
      e.held.push({ version: v, onChange });
      return true;
    }
    if (!e.versions.delete(v)) return false;
    if (e.versions.size === 0 && e.held.length === 0) this.entries.delete(key(ref));
    return true;
  }

  /** Forgets writes whose events never came, and releases events held for writes never answered. */
  sweep(): void {
    const cutoff = this.now() - this.ttlMs;
    for (const [k, e] of this.entries) {
      if (e.at >= cutoff) continue;
      this.entries.delete(k);
      const last = e.held.at(-1);
      last?.onChange();
    }
  }

  /** How many objects have writes in flight or unmatched (for tests). */
  get size(): number {
    return this.entries.size;
  }

  private entry(ref: ObjectRef): Entry {
    const k = key(ref);
    let e = this.entries.get(k);
    if (!e) {
      e = { inFlight: 0, versions: new Set(), held: [], at: this.now() };
      this.entries.set(k, e);
    }
    return e;
  }
}
