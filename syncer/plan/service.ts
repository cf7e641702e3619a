/**
 * The Service copy the syncer keeps in a member cluster: what it holds, whose it is, and when
 * an existing one has drifted.
 */
import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { LABEL_MANAGED_BY, LABEL_MCS_NAME, MANAGED_BY_MCS_BRIDGE } from '../names.ts';
import { compact, sameValue } from './equality.ts';

/** Default of `sessionAffinityConfig.clientIP.timeoutSeconds` (3 hours), set by the API server. */
const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10800;
const DUAL_STACK_POLICIES = new Set(['PreferDualStack', 'RequireDualStack']);

/** Whether a Service in a member cluster is one of the syncer's copies (by label, docs/architecture.md § Ownership labels). */
export function isOwnedService(svc: V1Service): boolean {
  return svc.metadata?.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_MCS_BRIDGE;
}

/** The copy of a hub Service, or why there is none. */
export type ServiceCopyResult =
  | { readonly ok: true; readonly object: V1Service; readonly convertedFrom?: string }
  | { readonly ok: false; readonly message: string };

function isHeadless(svc: V1Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

function copyPort(p: V1ServicePort): V1ServicePort {
  return compact({
    name: p.name,
    protocol: p.protocol,
    port: p.port,
    targetPort: p.targetPort,
    appProtocol: p.appProtocol,
  });
}

/**
 * Builds the Service copy for member clusters from the hub Service: only the fields the syncer
 * owns, ready for server-side apply.
 *
 * - The copy is always ClusterIP (headless stays headless): NodePort and LoadBalancer would open
 *   node ports or cloud load balancers in every member, which CrossCluster does not ask for;
 *   the native name needs only a cluster IP. ExternalName has no endpoints and is refused.
 * - Never copied: clusterIP(s) other than `None`, nodePorts, externalIPs, load-balancer fields,
 *   status, and the hub's own labels and annotations.
 * - `ipFamilies` is copied only with a dual-stack policy: under SingleStack it is the hub's own
 *   default, and copying it would make an IPv6-only member reject the copy.
 */
export function serviceCopy(hub: V1Service, namespace: string, name: string): ServiceCopyResult {
  const spec = hub.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  if (type === 'ExternalName') {
    return {
      ok: false,
      message: `Service ${namespace}/${name} is of type ExternalName, which has no endpoints`,
    };
  }
  const affinity = spec.sessionAffinity;
  const policy = spec.ipFamilyPolicy;
  const object: V1Service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace,
      labels: { [LABEL_MANAGED_BY]: MANAGED_BY_MCS_BRIDGE, [LABEL_MCS_NAME]: name },
    },
    spec: compact({
      type: 'ClusterIP',
      clusterIP: isHeadless(hub) ? 'None' : undefined,
      ports: (spec.ports ?? []).map(copyPort),
      selector: spec.selector && Object.keys(spec.selector).length > 0 ? { ...spec.selector } : undefined,
      sessionAffinity: affinity,
      sessionAffinityConfig:
        affinity === 'ClientIP' && spec.sessionAffinityConfig
          ? structuredClone(spec.sessionAffinityConfig)
          : undefined,
      publishNotReadyAddresses: spec.publishNotReadyAddresses,
      ipFamilyPolicy: policy,
      ipFamilies:
        policy && DUAL_STACK_POLICIES.has(policy) && spec.ipFamilies ? [...spec.ipFamilies] : undefined,
      internalTrafficPolicy: spec.internalTrafficPolicy,
      trafficDistribution: spec.trafficDistribution,
    }),
  };
  return type === 'ClusterIP' ? { ok: true, object } : { ok: true, object, convertedFrom: type };
}

/** How an existing copy differs from the desired one. */
export interface ServiceDrift {
  /** Paths of the owned fields that differ (empty: no write needed). */
  readonly fields: readonly string[];
  /** Whether a differing field cannot be updated in place (the copy must be re-created). */
  readonly immutable: boolean;
}

function normalPorts(ports: readonly V1ServicePort[] | undefined): unknown[] {
  return (ports ?? []).map((p) => ({
    name: p.name ?? '',
    protocol: p.protocol ?? 'TCP',
    port: p.port,
    targetPort: p.targetPort ?? p.port,
    appProtocol: p.appProtocol,
  }));
}

function affinityTimeout(svc: V1Service): number {
  return svc.spec?.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS;
}

/**
 * Compares an existing copy with the desired one on the owned fields only, with the API server's
 * defaults applied to both sides (type ClusterIP, sessionAffinity None, protocol TCP, targetPort =
 * port…), so a copy as the server returns it shows no drift. A field the desired copy leaves to
 * the server's defaulting (ipFamilies, ipFamilyPolicy, internalTrafficPolicy when the hub has none)
 * is not compared.
 */
export function serviceDrift(existing: V1Service, desired: V1Service): ServiceDrift {
  const e = existing.spec ?? {};
  const d = desired.spec ?? {};
  const fields: string[] = [];
  let immutable = false;
  const labels = desired.metadata?.labels ?? {};
  if (Object.entries(labels).some(([k, v]) => existing.metadata?.labels?.[k] !== v))
    fields.push('metadata.labels');
  if ((e.type ?? 'ClusterIP') !== (d.type ?? 'ClusterIP')) fields.push('spec.type');
  if ((e.clusterIP === 'None') !== (d.clusterIP === 'None')) {
    fields.push('spec.clusterIP');
    immutable = true;
  }
  if (!sameValue(normalPorts(e.ports), normalPorts(d.ports))) fields.push('spec.ports');
  if (!sameValue(e.selector ?? {}, d.selector ?? {})) fields.push('spec.selector');
  const affinity = d.sessionAffinity ?? 'None';
  if ((e.sessionAffinity ?? 'None') !== affinity) fields.push('spec.sessionAffinity');
  else if (affinity === 'ClientIP' && affinityTimeout(existing) !== affinityTimeout(desired)) {
    fields.push('spec.sessionAffinityConfig');
  }
  if ((e.publishNotReadyAddresses ?? false) !== (d.publishNotReadyAddresses ?? false)) {
    fields.push('spec.publishNotReadyAddresses');
  }
  if (d.ipFamilyPolicy !== undefined && e.ipFamilyPolicy !== d.ipFamilyPolicy)
    fields.push('spec.ipFamilyPolicy');
  // Under PreferDualStack a single-stack member keeps only the primary family; comparing the
  // secondary too would rewrite the copy forever.
  const families = (f: string[] | undefined) => (d.ipFamilyPolicy === 'PreferDualStack' ? f?.slice(0, 1) : f);
  if (d.ipFamilies !== undefined && !sameValue(families(e.ipFamilies) ?? [], families(d.ipFamilies))) {
    fields.push('spec.ipFamilies');
    // The primary family is immutable; a secondary one may be added or removed in place.
    if (e.ipFamilies?.[0] !== undefined && e.ipFamilies[0] !== d.ipFamilies[0]) immutable = true;
  }
  if (
    d.internalTrafficPolicy !== undefined &&
    (e.internalTrafficPolicy ?? 'Cluster') !== d.internalTrafficPolicy
  ) {
    fields.push('spec.internalTrafficPolicy');
  }
  if (e.trafficDistribution !== d.trafficDistribution) fields.push('spec.trafficDistribution');
  return { fields, immutable };
}
