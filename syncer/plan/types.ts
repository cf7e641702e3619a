/**
 * What a plan says besides its writes: events, problems for the status, the finalizer.
 */
import type { Action } from './actions.ts';

/** An Event to record on the MCS (the engine dedupes repeats). */
export interface McsEvent {
  /** `Normal` or `Warning`. */
  readonly type: 'Normal' | 'Warning';
  /** CamelCase reason, e.g. `ClusterNotFound`. */
  readonly reason: string;
  /** Human-readable message. */
  readonly message: string;
}

/** Why a condition is not True; listed in precedence order (the first present gives the reason). */
export const PROBLEM_REASONS = [
  'ServiceNotFound',
  'TypeNotSupported',
  'ServiceTypeNotSupported',
  'ServiceConflict',
  'EndpointSliceConflict',
  'NamespaceTerminating',
  'ClusterNotReady',
  'ProviderEndpointsNotReady',
  'ClusterNotFound',
] as const;

/** A reason a condition is not True. */
export type ProblemReason = (typeof PROBLEM_REASONS)[number];

/** Which condition a problem bears on. */
export type ProblemScope = 'service' | 'slices' | 'both';

/** Something that keeps the MCS from being fully carried out, as found by the planner. */
export interface Problem {
  /** Condition reason it maps to. */
  readonly reason: ProblemReason;
  /** The condition(s) it makes False. */
  readonly scope: ProblemScope;
  /** Message for the condition, naming the cluster(s). */
  readonly message: string;
}

/** What the status will say if every action succeeds; {@link statusFor} adds the write failures. */
export interface StatusDraft {
  /** `metadata.generation` of the MCS planned for. */
  readonly observedGeneration?: number;
  /** Problems found, in precedence order. */
  readonly problems: readonly Problem[];
  /** Clusters meant to hold the Service copy (for the success message). */
  readonly serviceClusters: readonly string[];
  /** Providers (for the success message). */
  readonly providers: readonly string[];
  /** Consumers (for the success message). */
  readonly consumers: readonly string[];
}

/** What to do with the `mcs-bridge.io/cleanup` finalizer; `add` must succeed before any action is taken. */
export type FinalizerOp = 'add' | 'remove' | 'keep';

/** The result of planning one MCS key. */
export interface McsPlan {
  /** Namespace of the MCS key. */
  readonly namespace: string;
  /** Name of the MCS key. */
  readonly name: string;
  /** Writes in member clusters, in the order to make them. */
  readonly actions: readonly Action[];
  /** Events to record on the MCS (none when it no longer exists). */
  readonly events: readonly McsEvent[];
  /** What to do with the finalizer. */
  readonly finalizer: FinalizerOp;
  /**
   * The status to compute after the writes; undefined when the status must not be touched (the
   * MCS is gone or being deleted, or a cache the status depends on has not synced yet).
   */
  readonly status?: StatusDraft;
  /**
   * Reconcile again at this time (epoch ms) even without an event: a grace period ends then, or
   * a withdrawal's finalizer is due a look once its writes are in the caches.
   */
  readonly requeueAt?: number;
}
