/**
 * The bodies of the in-place writes that move a member object between Karmada and mcs-bridge
 * without ever deleting it (so a consumer never lacks the endpoints). Pure: the cached object
 * in, the object to PUT out; each keeps the cached resourceVersion, so a change made meanwhile
 * makes the write fail (409) instead of being overwritten.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import {
  ANNOTATION_PROVISION_CLUSTER,
  LABEL_MANAGED_BY,
  LABEL_MCS_NAME,
  LABEL_SERVICE_NAME,
  LABEL_SLICE_MANAGED_BY,
  MANAGED_BY_MCS_BRIDGE,
  SLICE_MANAGER_KARMADA_DISPATCH,
} from '../names.ts';
import { sliceCopy } from '../plan/slices.ts';
import {
  ANNOTATION_WORK_NAME,
  ANNOTATION_WORK_NAMESPACE,
  LABEL_KARMADA_MANAGED,
  type WorkFact,
  withoutKarmadaMarks,
} from './facts.ts';

/** The provider a Karmada copy came from, by its annotation. */
export function providerOf(slice: V1EndpointSlice): string | undefined {
  return slice.metadata?.annotations?.[ANNOTATION_PROVISION_CLUSTER];
}

/**
 * A copy Karmada dispatched, rewritten as mcs-bridge's copy of the same source: our labels and
 * annotation, none of Karmada's (so the work-status controller ignores the change and the
 * execution controller, when its Work goes, leaves the object), the same endpoints. Undefined
 * when the copy names no provider.
 */
export function adoptedSlice(cached: V1EndpointSlice): V1EndpointSlice | undefined {
  const provider = providerOf(cached);
  const meta = cached.metadata ?? {};
  if (!provider || !meta.name || !meta.namespace) return undefined;
  const copy = sliceCopy(cached, provider, meta.namespace, meta.name);
  return { ...copy, metadata: { ...copy.metadata, resourceVersion: meta.resourceVersion } };
}

/** A Service copy Karmada applied, rewritten as mcs-bridge's: Karmada's marks gone, ours added; spec kept (its cluster IP above all). */
export function adoptedService(cached: V1Service, mcsName: string): V1Service {
  const { labels, annotations } = withoutKarmadaMarks(cached);
  const { managedFields: _m, ...meta } = cached.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      ...meta,
      labels: { ...labels, [LABEL_MANAGED_BY]: MANAGED_BY_MCS_BRIDGE, [LABEL_MCS_NAME]: mcsName },
      annotations,
    },
    spec: cached.spec,
  };
}

/**
 * A copy of ours whose name a dispatched Work claims, relabelled as that Work's copy: Karmada's
 * label and the Work's name on it, so Karmada's work-status controller adopts it in place and
 * writes what the Work holds (a delete would leave the consumer without it until Karmada's
 * execution controller retried).
 */
export function handedBackSlice(cached: V1EndpointSlice, work: WorkFact): V1EndpointSlice {
  const meta = cached.metadata ?? {};
  const provider = providerOf(cached) ?? '';
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: meta.name,
      namespace: meta.namespace,
      resourceVersion: meta.resourceVersion,
      labels: {
        [LABEL_SERVICE_NAME]: meta.labels?.[LABEL_SERVICE_NAME] ?? '',
        [LABEL_SLICE_MANAGED_BY]: SLICE_MANAGER_KARMADA_DISPATCH,
        [LABEL_KARMADA_MANAGED]: 'true',
      },
      annotations: {
        [ANNOTATION_PROVISION_CLUSTER]: provider,
        [ANNOTATION_WORK_NAME]: work.name,
        [ANNOTATION_WORK_NAMESPACE]: work.namespace,
      },
    },
    addressType: cached.addressType,
    endpoints: cached.endpoints,
    ports: cached.ports,
  };
}

/** A Service Karmada has overwritten, without the labels of ours it kept (Karmada retains labels it does not manage). */
export function unlabelledService(cached: V1Service): V1Service {
  const { managedFields: _m, ...meta } = cached.metadata ?? {};
  const labels = { ...(meta.labels ?? {}) };
  delete labels[LABEL_MANAGED_BY];
  delete labels[LABEL_MCS_NAME];
  return { apiVersion: 'v1', kind: 'Service', metadata: { ...meta, labels }, spec: cached.spec };
}
