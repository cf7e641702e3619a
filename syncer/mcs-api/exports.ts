/**
 * Which member exports a Service through the MCS API, and whether that export is valid
 * (KEP-1645: the Service must exist and must not be ExternalName). Pure.
 */
import type { V1Service } from '@kubernetes/client-node';
import { REASON, type ServiceExport } from '../api/multicluster.ts';
import { MANAGED_BY_MCS_BRIDGE } from '../names.ts';
import { isDeleting } from '../plan/context.ts';

/**
 * Label on the ServiceExport a Pull member's Service copy travels with (karmada/pull-works.ts):
 * such an export is mcs-bridge's own way to make Karmada's agent report slices, not a user's.
 */
export const LABEL_EXPORTED_BY = 'mcs-bridge.io/exported-by';

/** A member's export that takes part in the ServiceImport. */
export interface ValidExport {
  readonly kind: 'valid';
  readonly cluster: string;
  readonly serviceExport: ServiceExport;
  readonly service: V1Service;
}

/** A member's export that is refused, with the KEP's reason for `Valid=False`. */
export interface InvalidExport {
  readonly kind: 'invalid';
  readonly cluster: string;
  readonly serviceExport: ServiceExport;
  readonly reason: typeof REASON.noService | typeof REASON.invalidServiceType;
  readonly message: string;
}

/** What one member's ServiceExport comes to. */
export type ExportVerdict = ValidExport | InvalidExport;

/** Whether a ServiceExport is a user's (not mcs-bridge's own for the Pull path, not being deleted). */
export function isUserExport(e: ServiceExport | undefined): e is ServiceExport {
  if (!e || isDeleting(e)) return false;
  return e.metadata?.labels?.[LABEL_EXPORTED_BY] !== MANAGED_BY_MCS_BRIDGE;
}

/** Judges the export of `cluster`: valid, or refused with the KEP's reason and a message naming the Service. */
export function judgeExport(
  cluster: string,
  serviceExport: ServiceExport,
  service?: V1Service,
): ExportVerdict {
  const ref = `${serviceExport.metadata?.namespace ?? ''}/${serviceExport.metadata?.name ?? ''}`;
  if (!service || isDeleting(service)) {
    const message = `Service ${ref} does not exist in ${cluster}`;
    return { kind: 'invalid', cluster, serviceExport, reason: REASON.noService, message };
  }
  if (service.spec?.type === 'ExternalName') {
    const message = `Service ${ref} in ${cluster} is of type ExternalName, which cannot be exported (KEP-1645)`;
    return { kind: 'invalid', cluster, serviceExport, reason: REASON.invalidServiceType, message };
  }
  return { kind: 'valid', cluster, serviceExport, service };
}

/**
 * The valid exports in the order of KEP-1645's conflict resolution: the oldest ServiceExport
 * first (by creationTimestamp), ties broken by cluster name.
 */
export function byPrecedence(exports: readonly ValidExport[]): ValidExport[] {
  const created = (e: ValidExport) => {
    const t = e.serviceExport.metadata?.creationTimestamp;
    return t === undefined ? Number.POSITIVE_INFINITY : new Date(t as unknown as string).getTime();
  };
  return [...exports].sort(
    (a, b) => created(a) - created(b) || (a.cluster < b.cluster ? -1 : a.cluster > b.cluster ? 1 : 0),
  );
}
