/**
 * How a Work leaves a Pull-mode member's execution space when Karmada and mcs-bridge hand a
 * MultiClusterService to each other (docs/pull-mode.md § Beside Karmada's own MCS path). Pure.
 *
 * In a Pull member both sides' objects are Works that its karmada-agent applies, and the agent
 * (Karmada v1.18.2, pkg/util/objectwatcher) updates a member object that carries
 * `karmada.io/managed=true` whichever Work it comes from, and deletes it when a Work holding it
 * is deleted, before it takes the finalizer `karmada.io/execution-controller` off. So the side
 * that lets go takes that finalizer off its Work first: the Work then goes without the agent
 * acting on it, the object stays in the member (still labelled managed), and the other side's
 * Work is applied over it in place. A consumer never lacks its endpoints, and a Service keeps
 * its cluster IP. (Deleting a Work with `spec.preserveResourcesOnDeletion` instead would make
 * the agent rewrite the object from that Work's manifest without Karmada's label, after which
 * the agent refuses the other side's Work as "not managed by Karmada".)
 */
import { FINALIZER_KARMADA_DISPATCH } from './facts.ts';
import { EXECUTION_SPACE_PREFIX, FINALIZER_EXECUTION } from './pull-works.ts';

/**
 * The finalizers a Karmada Work of the MCS path keeps when mcs-bridge releases it, or undefined
 * when none is to go: the dispatch controller's always (nobody removes it while the gate is
 * off), the execution controller's too when the Work is in a Pull member's space (`orphan`).
 */
export function finalizersAfterRelease(finalizers: readonly string[], orphan: boolean): string[] | undefined {
  const drop = new Set([FINALIZER_KARMADA_DISPATCH, ...(orphan ? [FINALIZER_EXECUTION] : [])]);
  const kept = finalizers.filter((f) => !drop.has(f));
  return kept.length === finalizers.length ? undefined : kept;
}

/** A Work as the hub lists it (the fields read here). */
export interface ListedWork {
  metadata?: { name?: string; namespace?: string; resourceVersion?: string; finalizers?: string[] };
}

/**
 * Of the Works of the Service's ResourceBinding (the Service copies Karmada's MCS controller
 * placed), those in the execution space of a cluster in `orphanIn` that still carry the
 * execution controller's finalizer: it must go before the binding is deleted, or the agent
 * deletes the Service copy.
 */
export function bindingWorksToOrphan<W extends ListedWork>(
  works: readonly W[],
  orphanIn: readonly string[],
): W[] {
  const spaces = new Set(orphanIn.map((c) => `${EXECUTION_SPACE_PREFIX}${c}`));
  return works.filter(
    (w) =>
      spaces.has(w.metadata?.namespace ?? '') && (w.metadata?.finalizers ?? []).includes(FINALIZER_EXECUTION),
  );
}
