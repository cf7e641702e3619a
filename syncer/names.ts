/**
 * Names, labels and annotations the syncer writes and reads (docs/architecture.md § Ownership labels).
 */
import { createHash } from 'node:crypto';

/** Label naming the Service an EndpointSlice belongs to (`discoveryv1.LabelServiceName`). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Label naming the controller that manages an EndpointSlice (`discoveryv1.LabelManagedBy`). */
export const LABEL_SLICE_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
/** Label set on the EndpointSlices of headless Services; kube-proxy skips such slices. */
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
/** Label naming the cluster a dispatched EndpointSlice came from (MCS API, KEP-1645). */
export const LABEL_SOURCE_CLUSTER = 'multicluster.kubernetes.io/source-cluster';
/** Label naming the exported Service an EndpointSlice or backing Service stands for (MCS API, KEP-1645). */
export const LABEL_MCS_API_SERVICE_NAME = 'multicluster.kubernetes.io/service-name';
/** Annotation naming the provider cluster of a dispatched EndpointSlice (Karmada's name). */
export const ANNOTATION_PROVISION_CLUSTER = 'endpointslice.karmada.io/provision-cluster';

/** `endpointslice.kubernetes.io/managed-by` of the slices the syncer dispatches. */
export const SLICE_MANAGER_SYNCER = 'syncer.mcs-bridge.io';
/** `endpointslice.kubernetes.io/managed-by` of the slices Karmada dispatches. */
export const SLICE_MANAGER_KARMADA_DISPATCH = 'endpointslice-dispatch-controller.karmada.io';
/** `endpointslice.kubernetes.io/managed-by` of the slices Karmada derives from a ServiceImport. */
export const SLICE_MANAGER_KARMADA_IMPORT = 'endpointslice-controller.karmada.io';
/** `endpointslice.kubernetes.io/managed-by` of the slices of kube-controller-manager (the default). */
export const SLICE_MANAGER_DEFAULT = 'endpointslice-controller.k8s.io';

/**
 * Managers whose slices are copies of endpoints that live in another cluster; collecting them
 * would send endpoints round in circles between clusters (docs/architecture.md § Ownership labels).
 */
export const COPY_SLICE_MANAGERS: ReadonlySet<string> = new Set([
  SLICE_MANAGER_SYNCER,
  SLICE_MANAGER_KARMADA_DISPATCH,
  SLICE_MANAGER_KARMADA_IMPORT,
]);

/** Label marking the Service copies (and only those) as the syncer's own. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
/** Value of {@link LABEL_MANAGED_BY} on the syncer's Service copies. */
export const MANAGED_BY_MCS_BRIDGE = 'mcs-bridge';
/** Label naming the MultiClusterService a Service copy belongs to. */
export const LABEL_MCS_NAME = 'mcs-bridge.io/multiclusterservice';
/** Label on the namespaces the syncer creates; informational, they are never deleted. */
export const LABEL_CREATED_BY = 'app.kubernetes.io/created-by';
/** Finalizer that keeps a MultiClusterService until its copies are withdrawn. */
export const FINALIZER_CLEANUP = 'mcs-bridge.io/cleanup';

/** Longest DNS-1123 subdomain, hence longest EndpointSlice name. */
export const MAX_SLICE_NAME_LENGTH = 253;
/** Hex characters of SHA-256 kept in a shortened name (64 bits). */
const HASH_LENGTH = 16;

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

/** Whether `name` is a DNS-1123 subdomain (the rule for EndpointSlice and Service object names). */
export function isDnsSubdomain(name: string): boolean {
  return name.length > 0 && name.length <= MAX_SLICE_NAME_LENGTH && DNS_SUBDOMAIN.test(name);
}

/** Options of {@link dispatchedSliceName}. */
export interface SliceNameOptions {
  /** Use the hashed form even when the plain one is valid (to separate two copies whose plain names collide). */
  forceHash?: boolean;
}

/**
 * Name of the copy of `sourceSlice` from `provider` in a consumer cluster: `<provider>-<sourceSlice>`
 * (Karmada's scheme). When that is not a valid DNS-1123 subdomain of at most 253 characters, or
 * `forceHash` is set, it becomes a sanitized prefix of it, `-`, and 16 hex characters of the
 * SHA-256 of `provider/sourceSlice` — deterministic, collision-resistant (the `/` cannot occur in
 * either part, so distinct pairs never hash alike) and still a valid subdomain.
 */
export function dispatchedSliceName(
  provider: string,
  sourceSlice: string,
  opts: SliceNameOptions = {},
): string {
  const plain = `${provider}-${sourceSlice}`;
  if (!opts.forceHash && isDnsSubdomain(plain)) return plain;
  const hash = createHash('sha256').update(`${provider}/${sourceSlice}`).digest('hex').slice(0, HASH_LENGTH);
  const prefix = toSubdomainPrefix(plain, MAX_SLICE_NAME_LENGTH - HASH_LENGTH - 1);
  return prefix === '' ? hash : `${prefix}-${hash}`;
}

/** Turns `s` into a valid subdomain of at most `max` characters (possibly empty). */
function toSubdomainPrefix(s: string, max: number): string {
  const parts = s
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .split('.')
    .map((p) => p.replace(/^-+|-+$/g, ''))
    .filter((p) => p !== '');
  return parts
    .join('.')
    .slice(0, max)
    .replace(/[-.]+$/, '');
}

/** Longest Service name (a DNS-1035 label). */
const MAX_SERVICE_NAME_LENGTH = 63;
/** Prefix of the backing Service of a ServiceImport, and of its slice copies. */
const BACKING_PREFIX = 'clusterset-';

/**
 * Name of the selector-less Service behind the ServiceImport of `service` in a member
 * (docs/architecture.md § Kubernetes MCS API): `clusterset-<service>`, or, past 63 characters, a
 * prefix of it and 10 hex characters of the SHA-256 of the name. Never `derived-…`, which is
 * Karmada's ServiceImport controller's.
 */
export function backingServiceName(service: string): string {
  const plain = `${BACKING_PREFIX}${service}`;
  if (plain.length <= MAX_SERVICE_NAME_LENGTH) return plain;
  const hash = createHash('sha256').update(service).digest('hex').slice(0, 10);
  const prefix = plain.slice(0, MAX_SERVICE_NAME_LENGTH - hash.length - 1).replace(/-+$/, '');
  return `${prefix}-${hash}`;
}

/**
 * Name of the copy of `sourceSlice` from `provider` behind a ServiceImport:
 * `clusterset-<provider>-<sourceSlice>`, shortened as {@link dispatchedSliceName} does. Apart
 * from the MultiClusterService copies' names, so the two front ends never claim one object.
 */
export function importSliceName(provider: string, sourceSlice: string, opts: SliceNameOptions = {}): string {
  return dispatchedSliceName(`${BACKING_PREFIX}${provider}`, sourceSlice, opts);
}

/** The work-queue key of an MCS: `namespace/name`. */
export function mcsKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** Prefix of the work-queue keys of exported Services (the MCS API), apart from the MCS keys. */
const EXPORT_KEY_PREFIX = 'export:';

/** The work-queue key of the Service `namespace/name` exported through the MCS API. */
export function exportKey(namespace: string, name: string): string {
  return `${EXPORT_KEY_PREFIX}${namespace}/${name}`;
}

/** The exported Service of an {@link exportKey}, or undefined for any other key. */
export function exportKeyOf(key: string): { namespace: string; name: string } | undefined {
  if (!key.startsWith(EXPORT_KEY_PREFIX)) return undefined;
  const rest = key.slice(EXPORT_KEY_PREFIX.length);
  const i = rest.indexOf('/');
  if (i <= 0 || i === rest.length - 1) return undefined;
  return { namespace: rest.slice(0, i), name: rest.slice(i + 1) };
}
