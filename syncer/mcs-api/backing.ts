/**
 * What each member holds for an imported Service (docs/architecture.md § Kubernetes MCS API):
 * the backing Service, a selector-less Service of ours whose cluster IPs are the ServiceImport's
 * clusterset IPs and whose EndpointSlices are the copies of every exporter's endpoints; and the
 * ServiceImport itself. Pure.
 */
import type { V1Service } from '@kubernetes/client-node';
import { MULTICLUSTER_API_VERSION, type ServiceImport, type ServiceImportSpec } from '../api/multicluster.ts';
import { LABEL_MANAGED_BY, LABEL_MCS_API_SERVICE_NAME, MANAGED_BY_MCS_BRIDGE } from '../names.ts';
import { compact, sameValue } from '../plan/equality.ts';
import type { MergedExport } from './merge.ts';

const DUAL_STACK_POLICIES = new Set(['PreferDualStack', 'RequireDualStack']);

/** Labels of a backing Service and of the slice copies behind it (besides the planner's own). */
export function backingLabels(service: string): Record<string, string> {
  return { [LABEL_MANAGED_BY]: MANAGED_BY_MCS_BRIDGE, [LABEL_MCS_API_SERVICE_NAME]: service };
}

/**
 * The backing Service of `service` as the merged export asks: type ClusterIP (`None` when
 * Headless), no selector (the syncer writes its slices), the merged ports, affinity and traffic
 * policies; `ipFamilies` only under a dual-stack policy, as the MCS copies do.
 */
export function backingService(namespace: string, name: string, service: string, m: MergedExport): V1Service {
  const policy = m.ipFamilyPolicy;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace, labels: backingLabels(service) },
    spec: compact({
      type: 'ClusterIP',
      clusterIP: m.type === 'Headless' ? 'None' : undefined,
      ports: m.ports.map((p) => compact({ ...p, targetPort: p.port })),
      sessionAffinity: m.type === 'Headless' ? undefined : m.sessionAffinity,
      sessionAffinityConfig:
        m.type === 'Headless' || !m.sessionAffinityConfig
          ? undefined
          : structuredClone(m.sessionAffinityConfig),
      ipFamilyPolicy: policy,
      ipFamilies: policy && DUAL_STACK_POLICIES.has(policy) && m.ipFamilies ? [...m.ipFamilies] : undefined,
      internalTrafficPolicy: m.internalTrafficPolicy,
      trafficDistribution: m.trafficDistribution,
    }),
  };
}

/**
 * The clusterset IPs of a member: the cluster IPs of the Service that carries the imported
 * endpoints there, one per family, in its `ipFamilies` order; none for a headless Service or
 * one the API server has not allocated yet.
 */
export function clustersetIps(carrier: V1Service | undefined): { ips?: string[]; ipFamilies?: string[] } {
  const spec = carrier?.spec;
  if (!spec || spec.clusterIP === 'None' || !spec.clusterIP) return {};
  const ips = spec.clusterIPs && spec.clusterIPs.length > 0 ? [...spec.clusterIPs] : [spec.clusterIP];
  return compact({ ips, ipFamilies: spec.ipFamilies ? [...spec.ipFamilies] : undefined });
}

/** Whether a ServiceImport is one the syncer wrote (by label). */
export function isOwnedImport(si: ServiceImport): boolean {
  return si.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_MCS_BRIDGE;
}

/** The ServiceImport a member must hold: the merged export, with the member's own clusterset IPs. */
export function desiredImport(
  namespace: string,
  service: string,
  m: MergedExport,
  carrier: V1Service | undefined,
): ServiceImport {
  const headless = m.type === 'Headless';
  const spec: ServiceImportSpec = compact({
    type: m.type,
    ports: m.ports.map((p) => ({ ...p })),
    ...(headless ? {} : clustersetIps(carrier)),
    sessionAffinity: headless ? undefined : (m.sessionAffinity ?? 'None'),
    sessionAffinityConfig:
      headless || !m.sessionAffinityConfig ? undefined : structuredClone(m.sessionAffinityConfig),
    internalTrafficPolicy: m.internalTrafficPolicy,
    trafficDistribution: m.trafficDistribution,
  });
  return {
    apiVersion: MULTICLUSTER_API_VERSION,
    kind: 'ServiceImport',
    metadata: { name: service, namespace, labels: { [LABEL_MANAGED_BY]: MANAGED_BY_MCS_BRIDGE } },
    spec,
  };
}

/** Paths of the owned fields in which an existing ServiceImport differs from the desired one (empty: no write). */
export function importDrift(existing: ServiceImport, desired: ServiceImport): string[] {
  const fields: string[] = [];
  const labels = desired.metadata?.labels ?? {};
  if (Object.entries(labels).some(([k, v]) => existing.metadata?.labels?.[k] !== v))
    fields.push('metadata.labels');
  const e = (existing.spec ?? {}) as Partial<ServiceImportSpec>;
  const d = (desired.spec ?? {}) as Partial<ServiceImportSpec>;
  for (const key of [
    'type',
    'ports',
    'ips',
    'ipFamilies',
    'sessionAffinity',
    'sessionAffinityConfig',
    'internalTrafficPolicy',
    'trafficDistribution',
  ] as const) {
    const empty = key === 'ips' || key === 'ipFamilies' || key === 'ports' ? [] : undefined;
    if (!sameValue(e[key] ?? empty, d[key] ?? empty)) fields.push(`spec.${key}`);
  }
  return fields;
}
