/**
 * `decideCoexistence`: given what Karmada's own MultiClusterService machinery holds for one MCS,
 * whether mcs-bridge serves it, stands down, or takes it over — and why. Pure: facts in, a
 * decision out; the engine (engine/karmada-coexistence.ts) carries it out.
 *
 * - Karmada's execution controller restores what its Works hold and deletes what a deleted Work
 *   held, as long as the object carries `karmada.io/managed=true`; both implementations name the
 *   consumer copy `<provider>-<slice>`. So while any of that machinery exists for an MCS,
 *   mcs-bridge writes nothing Karmada holds for it, and says so (condition, Event, log).
 * - Taking over (only with `--karmada-takeover`, and only once Karmada's MCS controller no longer
 *   answers a probe) happens in place, so that the consumers never lack an endpoint: first every
 *   member object Karmada holds is rewritten as mcs-bridge's (Karmada's marks removed, so a later
 *   delete of its Work leaves it alone), then Karmada's Works, the Service's ResourceBinding and
 *   its finalizer are released.
 * - Handing back (Karmada's gate turned on again while mcs-bridge serves): a copy of ours whose
 *   name a dispatched Work now claims is relabelled as that Work's, which Karmada's work-status
 *   controller then adopts in place; a Service Karmada has overwritten loses our labels.
 * - In a Pull-mode member both sides' objects are Works its karmada-agent applies, and the
 *   syncer cannot see the member: the side that lets go withdraws its Works there without the
 *   agent deleting what they hold (pull-handover.ts), and the other side's Works are applied
 *   over the objects in place.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { MultiClusterService } from '../api/types.ts';
import { FINALIZER_CLEANUP, LABEL_MANAGED_BY, LABEL_MCS_NAME } from '../names.ts';
import { resolveClusterSets } from '../plan/clusters.ts';
import { isOwnedService } from '../plan/service.ts';
import { isOwnedSlice } from '../plan/slices.ts';
import type { MemberSnapshot } from '../plan/snapshot.ts';
import {
  FINALIZER_KARMADA_MCS,
  isHeldByKarmada,
  isKarmadaCopy,
  isKarmadaServiceCopy,
  LABEL_KARMADA_MANAGED,
  type WorkFact,
} from './facts.ts';

/** Everything one decision is made from. */
export interface CoexistenceInput {
  readonly namespace: string;
  readonly name: string;
  /** The MCS; undefined once deleted. */
  readonly mcs?: MultiClusterService;
  /** Karmada's Works labelled for this MCS. */
  readonly works: readonly WorkFact[];
  /** What the syncer knows of each member for this MCS key (as the planner gets it). */
  readonly clusters: readonly MemberSnapshot[];
  /** Members joined in Pull mode (their objects are Works of their execution space). */
  readonly pullMembers?: ReadonlySet<string>;
  /** `--karmada-takeover`: the operator turned Karmada's MultiClusterService gate off and lets mcs-bridge take over. */
  readonly takeover: boolean;
  /** The probe this syncer last wrote on the MCS, and when (see {@link CoexistenceDecision}). */
  readonly probe?: { readonly value: string; readonly sentAt: number };
  /** How long Karmada's MCS controller gets to answer a probe. */
  readonly probeTimeoutMs: number;
  readonly now: number;
}

/** A member object and the write that hands it to its new owner. */
export interface MemberRewrite<T> {
  readonly cluster: string;
  /** The cached object (its uid and resourceVersion guard the write). */
  readonly object: T;
}

/** A copy of ours that a dispatched Work now claims: relabelled as that Work's. */
export interface HandBack extends MemberRewrite<V1EndpointSlice> {
  readonly work: WorkFact;
}

/** A Work of ours in a Pull member that Karmada's Works now hold the object of: withdrawn, the object left in place. */
export interface Withdrawal {
  readonly cluster: string;
  readonly kind: 'Service' | 'EndpointSlice';
  /** The object as read back from our Work (its uid and resourceVersion are the Work's). */
  readonly object: V1Service | V1EndpointSlice;
}

/** Why mcs-bridge leaves an MCS to Karmada. */
export type StandDownReason =
  /** Karmada's machinery holds it and no takeover is allowed. */
  | 'KarmadaMachineryPresent'
  /** Karmada's MCS controller answered the probe: its gate is on. */
  | 'KarmadaControllersRunning'
  /** A takeover is due but a cluster holding Karmada's objects cannot be written now. */
  | 'TakeoverWaiting';

/** What to do for the MCS; `serve` hands it to the ordinary planner. */
export type CoexistenceDecision =
  | { readonly kind: 'serve' }
  | {
      readonly kind: 'standDown';
      readonly reason: StandDownReason;
      /** For the condition, the Event and the log: stable while the facts stay alike (no flapping). */
      readonly message: string;
      readonly handBack: readonly HandBack[];
      /** Our Service copies Karmada has overwritten, still carrying our labels. */
      readonly unlabel: readonly MemberRewrite<V1Service>[];
      /** Our Works in Pull members whose objects Karmada's Works hold now (hand back there). */
      readonly withdraw: readonly Withdrawal[];
      /** Our finalizer goes: nothing of ours is left in the members. */
      readonly releaseFinalizer: boolean;
    }
  /** Write a new probe value on the MCS; Karmada's MCS controller, if running, copies it into its marker Works. */
  | { readonly kind: 'probe'; readonly value: string }
  /** Nothing to write yet: look again at `until` (or on the next event). */
  | { readonly kind: 'wait'; readonly why: string; readonly until?: number }
  | {
      readonly kind: 'adopt';
      readonly slices: readonly MemberRewrite<V1EndpointSlice>[];
      readonly services: readonly MemberRewrite<V1Service>[];
    }
  | {
      readonly kind: 'release';
      readonly works: readonly WorkFact[];
      /**
       * Pull members: Karmada's Works in their execution spaces (the Service's binding's too) go
       * without the agent deleting what they hold, which mcs-bridge's Works then take over in place.
       */
      readonly orphanIn: readonly string[];
      /** Karmada's finalizer is still on the MCS. */
      readonly removeFinalizer: boolean;
    };

/**
 * What Karmada holds for the MCS in the members. Karmada's dispatcher writes its EndpointSlice
 * copies only into the MCS's consumers, so a copy of its dispatcher elsewhere (left over from
 * another MCS or an older spec) is not Karmada serving this one; `consumers` undefined (the MCS
 * is gone) counts them everywhere.
 */
function heldInMembers(clusters: readonly MemberSnapshot[], consumers: ReadonlySet<string> | undefined) {
  const slices: MemberRewrite<V1EndpointSlice>[] = [];
  const services: MemberRewrite<V1Service>[] = [];
  for (const m of clusters) {
    const consumes = consumers === undefined || consumers.has(m.name);
    for (const s of m.endpointSlices)
      if (consumes && isKarmadaCopy(s)) slices.push({ cluster: m.name, object: s });
    if (m.service && isKarmadaServiceCopy(m.service)) services.push({ cluster: m.name, object: m.service });
  }
  return { slices, services };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** A stable summary of the machinery: where, not how many objects (those change with every slice). */
function describeMachinery(works: readonly WorkFact[], held: ReturnType<typeof heldInMembers>): string {
  const parts: string[] = [];
  const spaces = [...new Set(works.map((w) => w.namespace))].sort();
  if (spaces.length > 0) parts.push(`its Works in ${spaces.join(', ')}`);
  const copies = [...new Set(held.slices.map((s) => s.cluster))].sort();
  if (copies.length > 0) parts.push(`its EndpointSlice copies in ${copies.join(', ')}`);
  const services = [...new Set(held.services.map((s) => s.cluster))].sort();
  if (services.length > 0) parts.push(`its Service copies in ${services.join(', ')}`);
  return parts.join('; ');
}

function standDown(
  s: CoexistenceInput,
  reason: StandDownReason,
  message: string,
): Extract<CoexistenceDecision, { kind: 'standDown' }> {
  if (reason === 'TakeoverWaiting') {
    return {
      kind: 'standDown',
      reason,
      message,
      handBack: [],
      unlabel: [],
      withdraw: [],
      releaseFinalizer: false,
    };
  }
  const dispatched = new Map(
    s.works
      .filter((w) => w.role === 'dispatched' && !w.deleting)
      .map((w) => [`${w.cluster}/${w.manifestName}`, w]),
  );
  const handBack: HandBack[] = [];
  const unlabel: MemberRewrite<V1Service>[] = [];
  const withdraw: Withdrawal[] = [];
  let oursLeft = false;
  for (const m of s.clusters) {
    if (s.pullMembers?.has(m.name)) {
      oursLeft = withdrawFromPull(s, m, withdraw) || oursLeft;
      continue;
    }
    for (const slice of m.endpointSlices) {
      if (!isOwnedSlice(slice)) continue;
      const work = dispatched.get(`${m.name}/${slice.metadata?.name}`);
      if (work && m.ready && m.synced) handBack.push({ cluster: m.name, object: slice, work });
      else oursLeft = true;
    }
    const svc = m.service;
    if (!svc || !isOwnedService(svc)) continue;
    if (!isHeldByKarmada(svc)) oursLeft = true;
    else if (m.ready && m.synced) unlabel.push({ cluster: m.name, object: svc });
    else oursLeft = true;
  }
  const ours = (s.mcs?.metadata?.finalizers ?? []).includes(FINALIZER_CLEANUP);
  const releaseFinalizer =
    ours && !oursLeft && handBack.length === 0 && unlabel.length === 0 && withdraw.length === 0;
  return { kind: 'standDown', reason, message, handBack, unlabel, withdraw, releaseFinalizer };
}

/**
 * Hands back in a Pull member: our Works there whose objects Karmada's Works now hold (a slice
 * copy a dispatched Work claims; the Service once any of Karmada's Works of the MCS is in that
 * member's space, as its binding places the Service wherever the MCS path reaches) are
 * withdrawn, the objects left for Karmada's Works. Returns whether anything of ours stays.
 */
function withdrawFromPull(s: CoexistenceInput, m: MemberSnapshot, out: Withdrawal[]): boolean {
  const live = s.works.filter((w) => w.cluster === m.name && !w.deleting);
  const claimed = new Set(live.filter((w) => w.role === 'dispatched').map((w) => w.manifestName));
  const writable = m.ready && m.synced;
  let left = false;
  for (const slice of m.endpointSlices) {
    if (!isOwnedSlice(slice)) continue;
    if (writable && claimed.has(slice.metadata?.name ?? ''))
      out.push({ cluster: m.name, kind: 'EndpointSlice', object: slice });
    else left = true;
  }
  if (m.service && isOwnedService(m.service)) {
    if (writable && live.length > 0) out.push({ cluster: m.name, kind: 'Service', object: m.service });
    else left = true;
  }
  return left;
}

/** Clusters that hold Karmada's objects for the MCS but cannot be written (or trusted) now. */
function unwritable(s: CoexistenceInput, held: ReturnType<typeof heldInMembers>): string[] {
  const involved = new Set([
    ...s.works.map((w) => w.cluster),
    ...held.slices.map((x) => x.cluster),
    ...held.services.map((x) => x.cluster),
  ]);
  const byName = new Map(s.clusters.map((m) => [m.name, m]));
  return [...involved].filter((c) => !byName.get(c)?.ready || !byName.get(c)?.synced).sort();
}

/** Source slices that a collected Work holds and that still carry Karmada's label (`cluster/name`). */
function sourcesStillLabelled(s: CoexistenceInput): string[] {
  const byName = new Map(s.clusters.map((m) => [m.name, m]));
  const out: string[] = [];
  for (const w of s.works) {
    if (w.role !== 'collected') continue;
    const source = byName.get(w.cluster)?.endpointSlices.find((x) => x.metadata?.name === w.manifestName);
    if (source && isHeldByKarmada(source)) out.push(`${w.cluster}/${w.manifestName}`);
  }
  return out.sort();
}

/** Decides what mcs-bridge does with one MCS beside Karmada's MultiClusterService machinery. */
export function decideCoexistence(s: CoexistenceInput): CoexistenceDecision {
  const consumers = s.mcs?.spec
    ? resolveClusterSets(
        s.mcs.spec,
        s.clusters.map((c) => c.name),
      ).consumers
    : undefined;
  const held = heldInMembers(s.clusters, consumers);
  const karmadaFinalizer = (s.mcs?.metadata?.finalizers ?? []).includes(FINALIZER_KARMADA_MCS);
  const present = s.works.length > 0 || held.slices.length > 0 || held.services.length > 0;
  // Karmada's finalizer alone counts only when taking over: it must go, or the MCS can never be deleted.
  if (!present && !(s.takeover && karmadaFinalizer && s.mcs)) return { kind: 'serve' };
  const what = describeMachinery(s.works, held) || `its finalizer ${FINALIZER_KARMADA_MCS}`;
  const ref = `${s.namespace}/${s.name}`;
  if (!s.takeover) {
    return standDown(
      s,
      'KarmadaMachineryPresent',
      `Karmada's MultiClusterService controllers serve ${ref} (${what}): mcs-bridge writes nothing for it. To hand it to mcs-bridge, turn Karmada's MultiClusterService feature gate off and run the syncer with --karmada-takeover`,
    );
  }
  if (!s.probe) return { kind: 'probe', value: new Date(s.now).toISOString() };
  const answered = s.works.some((w) => w.role === 'marker' && w.probe === s.probe?.value);
  if (answered) {
    return standDown(
      s,
      'KarmadaControllersRunning',
      `Karmada's MultiClusterService controller is running (it copied mcs-bridge's probe into its Work) and serves ${ref} (${what}): mcs-bridge takes nothing over while Karmada's MultiClusterService feature gate is on`,
    );
  }
  const until = s.probe.sentAt + s.probeTimeoutMs;
  if (s.now < until)
    return {
      kind: 'wait',
      why: "Karmada's MultiClusterService controller may still answer the probe",
      until,
    };
  const blocked = unwritable(s, held);
  if (blocked.length > 0) {
    return standDown(
      s,
      'TakeoverWaiting',
      `mcs-bridge takes ${ref} over from Karmada (${what}) once ${plural(blocked.length, 'cluster')} holding Karmada's objects can be written: ${blocked.join(', ')} is not ready or not synced`,
    );
  }
  if (held.slices.length > 0 || held.services.length > 0) {
    return { kind: 'adopt', slices: held.slices, services: held.services };
  }
  const labelled = sourcesStillLabelled(s);
  if (labelled.length > 0) {
    // The EndpointSlice controller copies a Service's labels onto its slices: until it has
    // dropped karmada.io/managed from them, deleting a collected Work would delete the source.
    return {
      kind: 'wait',
      why: `source slices still labelled ${LABEL_KARMADA_MANAGED}=true: ${labelled.join(', ')}`,
    };
  }
  const orphanIn = s.clusters.map((m) => m.name).filter((c) => s.pullMembers?.has(c));
  return { kind: 'release', works: s.works, orphanIn: orphanIn.sort(), removeFinalizer: karmadaFinalizer };
}

/** The labels a Service copy of ours carries (removed from one Karmada has overwritten). */
export const OUR_SERVICE_LABELS: readonly string[] = [LABEL_MANAGED_BY, LABEL_MCS_NAME];
