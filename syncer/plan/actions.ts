/**
 * The writes a plan asks the engine to make, and their order.
 */
import type { V1EndpointSlice, V1Namespace, V1Service } from '@kubernetes/client-node';
import type { ServiceExport, ServiceImport } from '../api/multicluster.ts';

/** What a write does. */
export type Verb = 'create' | 'update' | 'delete';

/** Kinds of object the syncer writes in member clusters. */
export type ActionKind = 'Namespace' | 'Service' | 'EndpointSlice' | 'ServiceImport' | 'ServiceExport';

/**
 * What the engine must find for an update or delete to be safe: the cached object's uid and
 * resourceVersion. Send them as delete preconditions (and as `metadata.resourceVersion` on a
 * replace) so that an object changed or recreated since the cache was read is never deleted or
 * overwritten; a 409 then just means "requeue".
 */
export interface Expected {
  /** uid of the cached object. */
  readonly uid?: string;
  /** resourceVersion of the cached object. */
  readonly resourceVersion?: string;
}

interface ActionBase {
  /** Member cluster to write to. */
  readonly cluster: string;
  /** Create, update or delete. */
  readonly verb: Verb;
  /** Namespace of the object (`''` for a Namespace). */
  readonly namespace: string;
  /** Name of the object. */
  readonly name: string;
  /** Why, in a few words, for logs: `missing`, `drift: spec.ports`, `source slice deleted`… */
  readonly reason: string;
  /** The cached object this update or delete applies to. */
  readonly expected?: Expected;
  /** On a delete: a create of the same object follows, because a field that differs is immutable. */
  readonly recreate?: boolean;
}

/** Create a namespace the Service or slices need. AlreadyExists counts as success. */
export interface NamespaceAction extends ActionBase {
  readonly kind: 'Namespace';
  readonly verb: 'create';
  readonly object: V1Namespace;
}

/**
 * Create, update or delete a Service copy. `object` (create/update) holds only the fields the
 * syncer owns. Create it as is; update by overlaying its owned fields on the cached object
 * (keeping what the member allocated or defaulted where `object` leaves a field unset: clusterIP,
 * ipFamilies, ipFamilyPolicy, internalTrafficPolicy), since replacing with `object` alone would
 * drop the cluster IP. A delete with `recreate` is followed by a create of the same Service.
 */
export interface ServiceAction extends ActionBase {
  readonly kind: 'Service';
  readonly object?: V1Service;
}

/**
 * Create, update or delete a dispatched EndpointSlice. `object` (create/update) is complete:
 * apply it, or replace with `expected.resourceVersion`.
 */
export interface EndpointSliceAction extends ActionBase {
  readonly kind: 'EndpointSlice';
  readonly object?: V1EndpointSlice;
}

/**
 * Create, update or delete a ServiceImport of the MCS API. `object` (create/update) is complete:
 * create it, or replace with `expected.resourceVersion`.
 */
export interface ServiceImportAction extends ActionBase {
  readonly kind: 'ServiceImport';
  readonly object?: ServiceImport;
}

/**
 * Write the conditions of a user's ServiceExport: the cached object with its conditions set,
 * replaced on the status subresource with `expected.resourceVersion`.
 */
export interface ServiceExportStatusAction extends ActionBase {
  readonly kind: 'ServiceExport';
  readonly verb: 'update';
  readonly object: ServiceExport;
}

/** One write in one member cluster. */
export type Action =
  | NamespaceAction
  | ServiceAction
  | EndpointSliceAction
  | ServiceImportAction
  | ServiceExportStatusAction;

/**
 * Rank of an action in a plan: namespaces first, then Services, then slice and ServiceImport
 * creates and updates (make before break), then their deletes, Service deletes after the slices
 * that attach to them, and ServiceExport conditions last. A delete that precedes a re-create goes just before the create.
 */
function phase(a: Action): number {
  if (a.kind === 'Namespace') return 0;
  // A ServiceImport is written once its backing Service has its IPs, and goes before it.
  if (a.kind === 'ServiceImport') return a.verb === 'delete' ? 5 : 4;
  if (a.kind === 'ServiceExport') return 7;
  const base = a.kind === 'Service' ? 1 : 3;
  if (a.verb !== 'delete') return base + 1;
  if (a.recreate) return base;
  return a.kind === 'Service' ? 6 : 5;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts actions into the order the engine must follow within a cluster (stable, deterministic). */
export function sortActions(actions: readonly Action[]): Action[] {
  return [...actions].sort(
    (a, b) =>
      phase(a) - phase(b) ||
      compare(a.cluster, b.cluster) ||
      compare(a.namespace, b.namespace) ||
      compare(a.name, b.name),
  );
}

/** A one-line description, e.g. `create EndpointSlice default/member1-nginx-abc in member2`. */
export function describeAction(a: Action): string {
  const ref = a.kind === 'Namespace' ? a.name : `${a.namespace}/${a.name}`;
  return `${a.verb} ${a.kind} ${ref} in ${a.cluster}`;
}

/** A key identifying an action within a plan (its description). */
export function actionKey(a: Action): string {
  return describeAction(a);
}
