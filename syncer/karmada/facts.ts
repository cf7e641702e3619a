/**
 * Facts about Karmada's own MultiClusterService path (the controllers behind its
 * `MultiClusterService` feature gate), as the syncer sees them: the Works those controllers
 * keep on the hub, and the objects Karmada's execution controller keeps in the members. The
 * names below are Karmada v1.18.2's (pkg/util/constants.go, pkg/controllers/multiclusterservice,
 * pkg/util/objectwatcher); docs/architecture.md § Beside Karmada's own MultiClusterService
 * controllers says what each does. Pure: no I/O.
 */
import type { KubernetesObject, V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import { LABEL_SLICE_MANAGED_BY, SLICE_MANAGER_KARMADA_DISPATCH } from '../names.ts';

/** Group, version and plural of Karmada's Work. */
export const KARMADA_WORK = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' } as const;
/** Group, version and plural of Karmada's ResourceBinding. */
export const KARMADA_BINDING = {
  group: 'work.karmada.io',
  version: 'v1alpha2',
  plural: 'resourcebindings',
} as const;

/** Labels every Work of Karmada's MultiClusterService path carries: the MCS's namespace and name. */
export const LABEL_WORK_MCS_NAMESPACE = 'multiclusterservice.karmada.io/namespace';
export const LABEL_WORK_MCS_NAME = 'multiclusterservice.karmada.io/name';
/** Annotation of a dispatched Work (and of its copy): the provider the slice came from. */
export const ANNOTATION_WORK_PROVISION_CLUSTER = 'endpointslice.karmada.io/provision-cluster';
/** Label Karmada's execution controller puts on what it applies; it deletes and updates only objects that carry it. */
export const LABEL_KARMADA_MANAGED = 'karmada.io/managed';
/** Label of a resource template (the hub Service, and so its copies) claimed by Karmada's MCS controller. */
export const LABEL_CLAIMED_BY = 'resourcetemplate.karmada.io/claimed-by';
/** Annotations naming the Work an applied object came from: the work-status controller restores such objects. */
export const ANNOTATION_WORK_NAME = 'work.karmada.io/name';
export const ANNOTATION_WORK_NAMESPACE = 'work.karmada.io/namespace';
/** Annotations listing the labels and annotations Karmada applied (and so owns) on an object. */
const ANNOTATION_MANAGED_LABELS = 'resourcetemplate.karmada.io/managed-labels';
const ANNOTATION_MANAGED_ANNOTATIONS = 'resourcetemplate.karmada.io/managed-annotations';
/** Finalizer of Karmada's MCS controller on the MultiClusterService. */
export const FINALIZER_KARMADA_MCS = 'karmada.io/multiclusterservice-controller';
/** Finalizer of the dispatch controller on a collected Work (nobody removes it while the gate is off). */
export const FINALIZER_KARMADA_DISPATCH = 'karmada.io/mcs-endpointslice-dispatch-controller';
/** Label of the Service's ResourceBinding when Karmada's MCS controller made it. */
export const LABEL_BINDING_MANAGED_BY = 'binding.karmada.io/managed-by';
/** Label of a ResourceBinding and of every Work it made (Karmada's GetWorksByBindingID selects on it). */
export const LABEL_BINDING_PERMANENT_ID = 'resourcebinding.karmada.io/permanent-id';
/** Value of {@link LABEL_CLAIMED_BY} and {@link LABEL_BINDING_MANAGED_BY} for the MCS path. */
export const KIND_MULTICLUSTERSERVICE = 'MultiClusterService';

/** Labels and annotations Karmada puts on what it applies, besides those its lists name (pkg/util ManagedResource*). */
const KARMADA_LABELS = [
  LABEL_KARMADA_MANAGED,
  'work.karmada.io/permanent-id',
  'resourcebinding.karmada.io/permanent-id',
];
const KARMADA_ANNOTATIONS = [
  ANNOTATION_MANAGED_LABELS,
  ANNOTATION_MANAGED_ANNOTATIONS,
  ANNOTATION_WORK_NAME,
  ANNOTATION_WORK_NAMESPACE,
  'resourcetemplate.karmada.io/uid',
  'resourcetemplate.karmada.io/generation',
  'resourcebinding.karmada.io/name',
  'resourcebinding.karmada.io/namespace',
];

/**
 * The three Works of Karmada's MCS path: the suspended `marker` holding the MCS itself in each
 * provider's execution space (multiclusterservice controller), the suspended `collected` slice
 * of a provider (endpointsliceCollect), and the `dispatched` copy for a consumer (endpointsliceDispatch).
 */
export type WorkRole = 'marker' | 'collected' | 'dispatched';

/** One Work of Karmada's MCS path, as the syncer caches it (not the manifests, which can be large). */
export interface WorkFact {
  /** The execution space, `karmada-es-<cluster>`. */
  readonly namespace: string;
  readonly name: string;
  readonly uid?: string;
  readonly resourceVersion?: string;
  /** The MCS it belongs to (its labels). */
  readonly mcsNamespace: string;
  readonly mcsName: string;
  readonly role: WorkRole;
  /** The member cluster of its execution space. */
  readonly cluster: string;
  /** Name of the object its manifest holds (for `dispatched`: the copy's name in the consumer). */
  readonly manifestName: string;
  /** For `marker`: the value the MCS it holds had for the probe annotation (see decide.ts). */
  readonly probe?: string;
  readonly finalizers: readonly string[];
  readonly deleting: boolean;
}

/** Prefix of Karmada's execution spaces. */
const EXECUTION_SPACE = 'karmada-es-';

/** A Work as the API serves it (only the fields read). */
export interface KarmadaWork extends KubernetesObject {
  spec?: { workload?: { manifests?: KubernetesObject[] } };
}

/**
 * The cached form of a Work, or undefined for one that is not of the MCS path (no MCS labels,
 * or outside an execution space). `probeAnnotation` is read from a marker's manifest.
 */
export function workFact(work: KarmadaWork, probeAnnotation: string): WorkFact | undefined {
  const meta = work.metadata ?? {};
  const labels = meta.labels ?? {};
  const mcsName = labels[LABEL_WORK_MCS_NAME];
  const mcsNamespace = labels[LABEL_WORK_MCS_NAMESPACE];
  const namespace = meta.namespace ?? '';
  if (!mcsName || !mcsNamespace || !namespace.startsWith(EXECUTION_SPACE)) return undefined;
  const manifest = work.spec?.workload?.manifests?.[0];
  const kind = manifest?.kind;
  const role: WorkRole =
    kind === KIND_MULTICLUSTERSERVICE
      ? 'marker'
      : meta.annotations?.[ANNOTATION_WORK_PROVISION_CLUSTER] !== undefined
        ? 'dispatched'
        : 'collected';
  return {
    namespace,
    name: meta.name ?? '',
    uid: meta.uid,
    resourceVersion: meta.resourceVersion,
    mcsNamespace,
    mcsName,
    role,
    cluster: namespace.slice(EXECUTION_SPACE.length),
    manifestName: manifest?.metadata?.name ?? '',
    probe: role === 'marker' ? manifest?.metadata?.annotations?.[probeAnnotation] : undefined,
    finalizers: [...(meta.finalizers ?? [])],
    deleting: meta.deletionTimestamp !== undefined && meta.deletionTimestamp !== null,
  };
}

/** Whether a slice in a member is a copy Karmada's dispatch controller made (held through a Work or left behind). */
export function isKarmadaCopy(slice: V1EndpointSlice): boolean {
  return slice.metadata?.labels?.[LABEL_SLICE_MANAGED_BY] === SLICE_MANAGER_KARMADA_DISPATCH;
}

/**
 * Whether a Service in a member is one Karmada applied for a MultiClusterService: its template
 * was claimed by Karmada's MCS controller and the execution controller manages it. (A Service
 * propagated by a PropagationPolicy is not: mcs-bridge reports it as a ServiceConflict.)
 */
export function isKarmadaServiceCopy(svc: V1Service): boolean {
  const labels = svc.metadata?.labels ?? {};
  return labels[LABEL_KARMADA_MANAGED] === 'true' && labels[LABEL_CLAIMED_BY] === KIND_MULTICLUSTERSERVICE;
}

/** Whether Karmada's execution controller would update or delete this object (it carries Karmada's label). */
export function isHeldByKarmada(o: KubernetesObject): boolean {
  return o.metadata?.labels?.[LABEL_KARMADA_MANAGED] === 'true';
}

function listed(value: string | undefined): string[] {
  return (value ?? '').split(',').filter((k) => k !== '');
}

/**
 * The labels and annotations of `o` without those Karmada applied: the keys its
 * managed-labels and managed-annotations annotations list, and Karmada's own markers. What is
 * left no longer points Karmada's controllers at the object.
 */
export function withoutKarmadaMarks(o: KubernetesObject): {
  labels: Record<string, string>;
  annotations: Record<string, string>;
} {
  const labels = { ...(o.metadata?.labels ?? {}) };
  const annotations = { ...(o.metadata?.annotations ?? {}) };
  for (const k of [...listed(annotations[ANNOTATION_MANAGED_LABELS]), ...KARMADA_LABELS]) delete labels[k];
  for (const k of [...listed(annotations[ANNOTATION_MANAGED_ANNOTATIONS]), ...KARMADA_ANNOTATIONS])
    delete annotations[k];
  return { labels, annotations };
}

/** The MCS key a Work belongs to. */
export function workKey(w: WorkFact): string {
  return `${w.mcsNamespace}/${w.mcsName}`;
}
