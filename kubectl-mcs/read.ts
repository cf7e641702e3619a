/**
 * Reads the facts of one diagnosis: the MultiClusterService, its Service and the syncer's
 * Lease on the hub (and the syncer's /readyz when asked), then each provider and consumer —
 * in parallel, every request bounded. What the diagnosis cannot do without (the MCS; a member
 * that does not answer or refuses to be read) is an error naming it; what only adds detail
 * (a Lease, kube-dns, Nodes a namespaced user may not list) is recorded as unknown instead.
 */
import type {
  KubernetesObject,
  V1EndpointSlice,
  V1Lease,
  V1Namespace,
  V1Node,
  V1Service,
} from '@kubernetes/client-node';
import { formatDuration } from '../lib/duration.ts';
import type { MultiClusterService } from '../syncer/api/types.ts';
import { LABEL_SERVICE_NAME } from '../syncer/names.ts';
import type { ClusterRanges, OwnRange } from '../syncer/network/overlaps.ts';
import {
  boundedServiceRanges,
  type NodePodCidrs,
  podRanges,
  type ServiceCidrObject,
  serviceCidrRanges,
} from '../syncer/network/own-ranges.ts';
import { resolveClusterSets } from '../syncer/plan/clusters.ts';
import type { MemberDefinition } from '../syncer/sources/source.ts';
import { clusterLabel, getJson, getRaw, listAll, RequestError, type Target } from './api.ts';
import type { DiagnoseFacts, LeaseFacts, MemberFacts, ReadyzFacts } from './facts.ts';
import type { MemberList } from './members.ts';
import { readPullMember } from './pull-read.ts';

/** What to read. */
export interface ReadRequest {
  readonly namespace: string;
  readonly name: string;
  readonly lease: { namespace: string; name: string };
  readonly syncerUrl?: string;
  readonly timeoutMs: number;
}

/** Reads everything but the probes. */
export async function readFacts(
  r: ReadRequest,
  hub: Target,
  members: MemberList,
  now: () => number,
): Promise<DiagnoseFacts> {
  const ns = encodeURIComponent(r.namespace);
  const name = encodeURIComponent(r.name);
  const mcs = await getJson<MultiClusterService>(
    hub,
    `/apis/networking.karmada.io/v1alpha1/namespaces/${ns}/multiclusterservices/${name}`,
    { missingOk: true },
  );
  const server = hub.kubeConfig.getCurrentCluster()?.server ?? '';
  if (!mcs) throw new Error(`no MultiClusterService ${r.namespace}/${r.name} on the hub (${server})`);
  const hubService = await getJson<V1Service>(hub, `/api/v1/namespaces/${ns}/services/${name}`, {
    missingOk: true,
  });
  const [lease, readyz] = await Promise.all([readLease(hub, r.lease), readReadyz(r.syncerUrl, r.timeoutMs)]);
  const sets = resolveClusterSets(
    mcs.spec ?? { types: [] },
    members.members.map((m) => m.name),
  );
  const facts = await Promise.all(
    [...members.members]
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map((m) =>
        readMember(m, r, hub, {
          read: sets.providers.has(m.name) || sets.consumers.has(m.name),
          consumer: sets.consumers.has(m.name),
        }),
      ),
  );
  return {
    now: now(),
    hubServer: server,
    source: members.source,
    mcs,
    hubService,
    lease,
    readyz,
    members: facts,
  };
}

async function readLease(hub: Target, ref: { namespace: string; name: string }): Promise<LeaseFacts> {
  const text = `${ref.namespace}/${ref.name}`;
  try {
    const lease = await getJson<V1Lease>(
      hub,
      `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(ref.namespace)}/leases/${encodeURIComponent(ref.name)}`,
      { missingOk: true },
    );
    if (!lease) return { ref: text, state: 'absent' };
    return {
      ref: text,
      state: 'present',
      holder: lease.spec?.holderIdentity,
      renewTime: lease.spec?.renewTime as unknown as string | undefined,
      durationSeconds: lease.spec?.leaseDurationSeconds,
    };
  } catch (err) {
    if (err instanceof RequestError && err.code !== undefined)
      return { ref: text, state: 'unreadable', error: err.message };
    throw err;
  }
}

async function readReadyz(url: string | undefined, timeoutMs: number): Promise<ReadyzFacts | undefined> {
  if (!url) return undefined;
  try {
    const res = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(timeoutMs) });
    const detail = (await res.text()).split('\n')[0]?.trim() || `HTTP ${res.status}`;
    return {
      url,
      state: res.status === 200 ? 'ready' : 'not-ready',
      detail: `HTTP ${res.status}: ${detail}`,
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    const why =
      e.name === 'TimeoutError'
        ? `no answer within ${formatDuration(timeoutMs)}`
        : (e.cause?.code ?? e.message);
    return { url, state: 'unreachable', detail: why };
  }
}

async function readMember(
  def: MemberDefinition,
  r: ReadRequest,
  hub: Target,
  role: { read: boolean; consumer: boolean },
): Promise<MemberFacts> {
  const server = def.kubeConfig.getCurrentCluster()?.server ?? '';
  const base = { name: def.name, sourceReady: def.sourceReady, sourceReason: def.sourceReason, server };
  // A Pull-mode member is read as the syncer reads it: through the hub, whether ready or not.
  if (def.pull && role.read) {
    const found = await readPullMember(hub, def.name, r.namespace, r.name);
    return {
      ...base,
      read: true,
      apiReady: true,
      namespace: { metadata: { name: r.namespace } },
      service: found.service,
      slices: found.slices,
      pull: found.pull,
    };
  }
  // A member its source reports unusable (a Pull-mode Cluster, a missing Secret) is not read:
  // the syncer does not reach it either.
  if (!role.read || !def.sourceReady) return { ...base, read: role.read, apiReady: false, slices: [] };
  const t: Target = { cluster: def.name, kubeConfig: def.kubeConfig, timeoutMs: r.timeoutMs };
  const ready = await getRaw(t, '/readyz').catch((err: Error) => {
    throw new Error(`${err.message}${def.sourceReason ? ` (${def.sourceReason})` : ''}`);
  });
  if (ready.status === 401 || ready.status === 403)
    throw new Error(
      `${clusterLabel(def.name)} (${server}) refuses our credentials: GET /readyz answered HTTP ${ready.status}`,
    );
  const apiReady = ready.status === 200;
  const ns = encodeURIComponent(r.namespace);
  const [namespace, service, slices] = await Promise.all([
    getJson<V1Namespace>(t, `/api/v1/namespaces/${ns}`, { missingOk: true }).catch((err) =>
      // Users limited to their namespace cannot read it; its Service and slices tell enough.
      forbidden(err) ? { metadata: { name: r.namespace } } : Promise.reject(err),
    ),
    getJson<V1Service>(t, `/api/v1/namespaces/${ns}/services/${encodeURIComponent(r.name)}`, {
      missingOk: true,
    }),
    listAll<V1EndpointSlice>(t, `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, {
      labelSelector: `${LABEL_SERVICE_NAME}=${r.name}`,
    }),
  ]);
  const facts: MemberFacts = {
    ...base,
    read: true,
    apiReady,
    apiDetail: apiReady ? undefined : `its API server answered /readyz with HTTP ${ready.status}`,
    namespace,
    service,
    slices: slices ?? [],
  };
  if (!role.consumer) return facts;
  const [kubeDns, ranges] = await Promise.all([readKubeDns(t), readRanges(t)]);
  return { ...facts, kubeDns, ranges };
}

async function readKubeDns(t: Target): Promise<'present' | 'absent' | 'unknown'> {
  try {
    const svc = await getJson<V1Service>(t, '/api/v1/namespaces/kube-system/services/kube-dns', {
      missingOk: true,
    });
    return svc ? 'present' : 'absent';
  } catch (err) {
    if (forbidden(err)) return 'unknown';
    throw err;
  }
}

/** The member's own ranges, as the syncer reads them (engine/member-networks.ts), read once. */
async function readRanges(t: Target): Promise<ClusterRanges> {
  const ranges: OwnRange[] = [];
  const unknown: string[] = [];
  try {
    const nodes = await listAll<V1Node, NodePodCidrs>(t, '/api/v1/nodes', {
      keep: (n) => ({
        metadata: { name: n.metadata?.name },
        spec: { podCIDR: n.spec?.podCIDR, podCIDRs: n.spec?.podCIDRs },
      }),
    });
    ranges.push(...podRanges(nodes ?? []));
  } catch (err) {
    if (!forbidden(err)) throw err;
    unknown.push(`cannot list nodes: ${(err as Error).message}`);
  }
  try {
    const cidrs = await listAll<ServiceCidrObject & KubernetesObject>(
      t,
      '/apis/networking.k8s.io/v1/servicecidrs',
      {
        missingOk: true,
      },
    );
    if (cidrs) ranges.push(...serviceCidrRanges(cidrs));
    else {
      const k = await getJson<V1Service>(t, '/api/v1/namespaces/default/services/kubernetes', {
        missingOk: true,
      });
      const bounded = boundedServiceRanges(k);
      ranges.push(...bounded.ranges);
      unknown.push(...bounded.unknown);
    }
  } catch (err) {
    if (!forbidden(err)) throw err;
    unknown.push(`cannot list servicecidrs: ${(err as Error).message}`);
  }
  return { ranges, unknown };
}

function forbidden(err: unknown): boolean {
  return err instanceof RequestError && err.code === 403;
}
