/**
 * A Pull-mode member as the syncer sees it through Karmada's Works (docs/pull-mode.md). The
 * control plane cannot reach a Pull member's API server; its karmada-agent applies the Works of
 * the member's execution space `karmada-es-<cluster>` and reports into it. So:
 * - what the syncer writes into a Pull member is a Work of its own, one per object (the Service
 *   copy travels with a ServiceExport, which makes the agent report that Service's
 *   EndpointSlices; the slice copy with a managed-by the agent does not report);
 * - what the syncer reads of a Pull member is what those Works hold, and the EndpointSlices the
 *   agent's serviceExport controller reported (Works labelled `endpointslice.karmada.io/*`).
 * Each object read back carries the Work's uid and resourceVersion, so the engine's guarded
 * writes and its echo detection work on the Work, and the Work's Applied condition in an
 * annotation. Pure: no I/O.
 */
import { createHash } from 'node:crypto';
import type { KubernetesObject, V1Condition } from '@kubernetes/client-node';
import {
  isDnsSubdomain,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_SLICE_MANAGED_BY,
  MANAGED_BY_MCS_BRIDGE,
  SLICE_MANAGER_KARMADA_DISPATCH,
  SLICE_MANAGER_SYNCER,
} from '../names.ts';

/** Prefix of a member's execution space on the hub (Karmada's `names.GenerateExecutionSpaceName`). */
export const EXECUTION_SPACE_PREFIX = 'karmada-es-';
/** Label on the syncer's Works: the kind of the object it carries (`Service`, `EndpointSlice`). */
export const LABEL_WORK_KIND = 'mcs-bridge.io/kind';
/** Label on the syncer's Works: the namespace of the object it carries. */
export const LABEL_WORK_OBJECT_NAMESPACE = 'mcs-bridge.io/namespace';
/**
 * Label on the ServiceExport a Service copy travels with: it marks the export as mcs-bridge's,
 * so a user's own exports (and the MCS API work that reads them) can tell them apart.
 */
export const LABEL_EXPORTED_BY = 'mcs-bridge.io/exported-by';
/** Labels of the Works the agent's serviceExport controller reports (Karmada's pkg/util/constants.go). */
export const LABEL_REPORT_MANAGED_BY = 'endpointslice.karmada.io/managed-by';
export const LABEL_REPORT_SERVICE_NAMESPACE = 'endpointslice.karmada.io/namespace';
export const LABEL_REPORT_SERVICE_NAME = 'endpointslice.karmada.io/name';
/** Value (one of `.`-joined values) of {@link LABEL_REPORT_MANAGED_BY} on a serviceExport report. */
export const REPORTED_BY_SERVICE_EXPORT = 'ServiceExport';
/**
 * Annotation on an object read from a Work: the Work's Applied condition, `True`, or `False:`
 * and the agent's message; absent until the agent has reported. Never written to a member.
 */
export const ANNOTATION_WORK_APPLIED = 'mcs-bridge.io/work-applied';
/** Annotation on an object read from a Work: the Work's `namespace/name`, for messages. */
export const ANNOTATION_WORK_REF = 'mcs-bridge.io/work';
/** The ServiceExport API the agent reads (sigs.k8s.io/mcs-api v1alpha1, as Karmada v1.18.2 vendors it). */
export const SERVICE_EXPORT_API_VERSION = 'multicluster.x-k8s.io/v1alpha1';

/**
 * The finalizer every Work that carries something into a member has from its creation on
 * (Karmada's `util.ExecutionControllerFinalizer`; its binding, namespace and dispatch
 * controllers set it the same way). The execution controller does not add it: it only takes it
 * off once it has deleted the Work's objects from the member, so a Work without it is gone
 * before the agent can remove what it applied.
 */
export const FINALIZER_EXECUTION = 'karmada.io/execution-controller';

/**
 * The label Karmada's execution controller requires on a member object before it updates or
 * deletes it (objectwatcher's `isManagedResource`): without it a Work's change is refused
 * ("already exists … Karmada will not manage this resource") and its deletion leaves the object
 * behind. Karmada's binding controller puts it on every manifest it writes; so do we, and take
 * it off again when reading a Work back (on a Service it would mark the copy as Karmada's).
 */
export const LABEL_KARMADA_MANAGED = 'karmada.io/managed';

/** Kinds the syncer writes into members. */
export type PullKind = 'Namespace' | 'Service' | 'EndpointSlice';

/** Karmada's Work (work.karmada.io/v1alpha1), the fields read and written here. */
export interface KarmadaWorkObject extends KubernetesObject {
  spec?: { workload?: { manifests?: Record<string, unknown>[] }; suspendDispatching?: boolean };
  status?: { conditions?: V1Condition[] };
}

const API_VERSION: Record<PullKind, string> = {
  Namespace: 'v1',
  Service: 'v1',
  EndpointSlice: 'discovery.k8s.io/v1',
};

/** The execution space of a member on the hub. */
export function executionSpace(cluster: string): string {
  return `${EXECUTION_SPACE_PREFIX}${cluster}`;
}

/**
 * The name of the syncer's Work carrying `kind` `namespace/name`: `mcs-bridge-<kind>-<ns>-<name>`,
 * or, when that is no DNS-1123 subdomain of at most 253 characters, its first characters and
 * 16 hex characters of a SHA-256 of the three (Karmada's own Work names end in a hash of
 * kind, name and namespace, never start with `mcs-bridge-`, so the two never collide).
 */
export function workName(kind: PullKind, namespace: string, name: string): string {
  const plain = `mcs-bridge-${kind.toLowerCase()}-${namespace ? `${namespace}-` : ''}${name}`;
  if (isDnsSubdomain(plain)) return plain;
  const hash = createHash('sha256').update(`${kind}/${namespace}/${name}`).digest('hex').slice(0, 16);
  return `${plain
    .slice(0, 200)
    .replace(/[^a-z0-9-]/g, '-')
    .replace(/-+$/, '')}-${hash}`;
}

type Meta = NonNullable<KubernetesObject['metadata']>;

/** The object as it goes into a Work: no server-set fields, none of the read-back annotations. */
function manifestOf(kind: PullKind, object: KubernetesObject): Record<string, unknown> {
  const {
    uid: _u,
    resourceVersion: _r,
    creationTimestamp: _c,
    managedFields: _m,
    ...meta
  } = object.metadata ?? ({} as Meta);
  const annotations = { ...(meta.annotations ?? {}) };
  delete annotations[ANNOTATION_WORK_APPLIED];
  delete annotations[ANNOTATION_WORK_REF];
  const labels: Record<string, string> = { ...(meta.labels ?? {}), [LABEL_KARMADA_MANAGED]: 'true' };
  // The agent's serviceExport controller reports every slice of an exported Service except
  // those Karmada's dispatchers manage: the copy must not go back to the hub as a source (karmada#6522).
  if (kind === 'EndpointSlice' && labels[LABEL_SLICE_MANAGED_BY] === SLICE_MANAGER_SYNCER)
    labels[LABEL_SLICE_MANAGED_BY] = SLICE_MANAGER_KARMADA_DISPATCH;
  const { status: _status, ...rest } = object as KubernetesObject & { status?: unknown };
  return {
    ...rest,
    apiVersion: API_VERSION[kind],
    kind,
    metadata: {
      ...meta,
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : { annotations: undefined }),
    },
  };
}

/** The ServiceExport that travels with a Service copy (the agent reports the slices of exported Services only). */
function serviceExportOf(service: KubernetesObject): Record<string, unknown> {
  return {
    apiVersion: SERVICE_EXPORT_API_VERSION,
    kind: 'ServiceExport',
    metadata: {
      name: service.metadata?.name,
      namespace: service.metadata?.namespace,
      labels: { [LABEL_EXPORTED_BY]: MANAGED_BY_MCS_BRIDGE, [LABEL_KARMADA_MANAGED]: 'true' },
    },
  };
}

/**
 * The syncer's Work for `object` in `cluster`'s execution space: `resourceVersion`, when given,
 * guards a replace. A Service copy carries its ServiceExport beside it.
 */
export function workFor(
  cluster: string,
  kind: PullKind,
  object: KubernetesObject,
  resourceVersion?: string,
): KarmadaWorkObject {
  const namespace = object.metadata?.namespace ?? '';
  const name = object.metadata?.name ?? '';
  const manifests = [manifestOf(kind, object)];
  if (kind === 'Service') manifests.push(serviceExportOf(object));
  const labels: Record<string, string> = {
    [LABEL_MANAGED_BY]: MANAGED_BY_MCS_BRIDGE,
    [LABEL_WORK_KIND]: kind,
  };
  if (namespace) labels[LABEL_WORK_OBJECT_NAMESPACE] = namespace;
  const service = kind === 'Service' ? name : object.metadata?.labels?.[LABEL_SERVICE_NAME];
  if (service) labels[LABEL_SERVICE_NAME] = service;
  return {
    apiVersion: 'work.karmada.io/v1alpha1',
    kind: 'Work',
    metadata: {
      name: workName(kind, namespace, name),
      namespace: executionSpace(cluster),
      labels,
      // On every replace too: a PUT without it would take it off.
      finalizers: [FINALIZER_EXECUTION],
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    spec: { workload: { manifests } },
  };
}

/** Whether a Work is one of the syncer's. */
export function isOurWork(work: KarmadaWorkObject): boolean {
  return work.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_MCS_BRIDGE;
}

/** Whether a Work is a report of the agent's serviceExport controller (managed-by holds `ServiceExport` among `.`-joined values). */
export function isServiceExportReport(work: KarmadaWorkObject): boolean {
  const by = work.metadata?.labels?.[LABEL_REPORT_MANAGED_BY];
  return by?.split('.').includes(REPORTED_BY_SERVICE_EXPORT) === true;
}

/** The Work's Applied condition as {@link ANNOTATION_WORK_APPLIED} holds it, or undefined before any report. */
export function appliedState(work: KarmadaWorkObject): string | undefined {
  const applied = work.status?.conditions?.find((c) => c.type === 'Applied');
  if (!applied) return undefined;
  if (applied.status === 'True') return 'True';
  return `False: ${applied.message || applied.reason || 'no message'}`;
}

/**
 * The member object a Work stands for, when it is one of `kind`: the syncer's own Works give
 * back what was written (the slice copy's managed-by as the planner wrote it), the agent's
 * reports give the provider's EndpointSlice as the agent saw it. Each carries the Work's uid
 * and resourceVersion, and, for the syncer's Works, its Applied state. Anything else: undefined.
 */
export function objectFromWork(work: KarmadaWorkObject, kind: PullKind): KubernetesObject | undefined {
  if (kind === 'Namespace') return namespaceFromWork(work);
  const ours = isOurWork(work);
  if (ours && work.metadata?.labels?.[LABEL_WORK_KIND] !== kind) return undefined;
  if (!ours && !(kind === 'EndpointSlice' && isServiceExportReport(work))) return undefined;
  const manifest = work.spec?.workload?.manifests?.find((m) => m.kind === kind) as
    | (KubernetesObject & Record<string, unknown>)
    | undefined;
  if (!manifest) return undefined;
  const meta: Meta = { ...(manifest.metadata ?? {}) };
  const labels = { ...(meta.labels ?? {}) };
  if (ours) delete labels[LABEL_KARMADA_MANAGED];
  if (ours && kind === 'EndpointSlice' && labels[LABEL_SLICE_MANAGED_BY] === SLICE_MANAGER_KARMADA_DISPATCH)
    labels[LABEL_SLICE_MANAGED_BY] = SLICE_MANAGER_SYNCER;
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
  annotations[ANNOTATION_WORK_REF] = `${work.metadata?.namespace ?? ''}/${work.metadata?.name ?? ''}`;
  const applied = ours ? appliedState(work) : undefined;
  if (applied !== undefined) annotations[ANNOTATION_WORK_APPLIED] = applied;
  return {
    ...manifest,
    metadata: {
      ...meta,
      labels,
      annotations,
      uid: work.metadata?.uid,
      resourceVersion: work.metadata?.resourceVersion,
      ...(work.metadata?.deletionTimestamp ? { deletionTimestamp: work.metadata.deletionTimestamp } : {}),
    },
  };
}

/**
 * The Namespace a Work carries into the member, if any (Karmada's namespace controller writes
 * one such Work per hub namespace into every execution space): the member has it, or will.
 */
function namespaceFromWork(work: KarmadaWorkObject): KubernetesObject | undefined {
  const manifest = work.spec?.workload?.manifests?.find((m) => m.kind === 'Namespace') as
    | KubernetesObject
    | undefined;
  const name = manifest?.metadata?.name;
  if (!name) return undefined;
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      uid: work.metadata?.uid,
      resourceVersion: work.metadata?.resourceVersion,
      annotations: {
        [ANNOTATION_WORK_REF]: `${work.metadata?.namespace ?? ''}/${work.metadata?.name ?? ''}`,
      },
    },
  };
}

/**
 * The namespace every member has, whether or not a Work carries it (Karmada's namespace
 * controller leaves `default` alone in some versions): shown in a Pull member's view as is.
 */
export const ALWAYS_PRESENT_NAMESPACE: KubernetesObject = {
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name: 'default', uid: 'default', resourceVersion: '0' },
};
