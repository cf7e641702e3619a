/**
 * Reads a Pull-mode member the way the syncer does (engine/pull-member-client.ts): never its
 * API server, only the hub. Its Service and EndpointSlices are what the Works of its execution
 * space hold (mcs-bridge's own, and the EndpointSlices its karmada-agent reported), its
 * heartbeat is the Lease the agent renews in karmada-cluster.
 */
import type { KubernetesListObject, V1EndpointSlice, V1Lease, V1Service } from '@kubernetes/client-node';
import {
  appliedState,
  executionSpace,
  isOurWork,
  isServiceExportReport,
  type KarmadaWorkObject,
  LABEL_REPORT_SERVICE_NAME,
  LABEL_REPORT_SERVICE_NAMESPACE,
  LABEL_WORK_KIND,
  objectFromWork,
} from '../syncer/karmada/pull-works.ts';
import { LABEL_SERVICE_NAME } from '../syncer/names.ts';
import { getJson, RequestError, type Target } from './api.ts';
import type { PullFacts } from './facts.ts';

/** The Service, slices and Work facts of one Pull member, for one Service; all from the hub. */
export async function readPullMember(
  hub: Target,
  cluster: string,
  namespace: string,
  name: string,
): Promise<{ service?: V1Service; slices: V1EndpointSlice[]; pull: PullFacts }> {
  const list = await getJson<KubernetesListObject<KarmadaWorkObject>>(
    hub,
    `/apis/work.karmada.io/v1alpha1/namespaces/${encodeURIComponent(executionSpace(cluster))}/works`,
    { missingOk: true },
  );
  const works = list?.items ?? [];
  let service: V1Service | undefined;
  const slices: V1EndpointSlice[] = [];
  for (const w of works) {
    const svc = objectFromWork(w, 'Service') as V1Service | undefined;
    if (svc?.metadata?.namespace === namespace && svc.metadata.name === name) service = svc;
    const slice = objectFromWork(w, 'EndpointSlice') as V1EndpointSlice | undefined;
    if (slice?.metadata?.namespace === namespace && slice.metadata.labels?.[LABEL_SERVICE_NAME] === name)
      slices.push(slice);
  }
  const ours = works
    .filter((w) => isOurWork(w) && (w.metadata?.labels?.[LABEL_SERVICE_NAME] ?? '') === name)
    .map((w) => ({
      name: w.metadata?.name ?? '',
      kind: w.metadata?.labels?.[LABEL_WORK_KIND] ?? '',
      applied: appliedState(w),
      exports: (w.spec?.workload?.manifests ?? []).some((m) => m.kind === 'ServiceExport'),
    }));
  const reports = works.filter(
    (w) =>
      isServiceExportReport(w) &&
      w.metadata?.labels?.[LABEL_REPORT_SERVICE_NAMESPACE] === namespace &&
      w.metadata?.labels?.[LABEL_REPORT_SERVICE_NAME] === name,
  ).length;
  return { service, slices, pull: { works: ours, reports, heartbeat: await readHeartbeat(hub, cluster) } };
}

/** When the cluster's karmada-agent last renewed its Lease (karmada-cluster/<cluster>). */
async function readHeartbeat(hub: Target, cluster: string): Promise<PullFacts['heartbeat']> {
  try {
    const lease = await getJson<V1Lease>(
      hub,
      `/apis/coordination.k8s.io/v1/namespaces/karmada-cluster/leases/${encodeURIComponent(cluster)}`,
      { missingOk: true },
    );
    if (!lease) return { state: 'absent' };
    return { state: 'present', renewTime: lease.spec?.renewTime as unknown as string | undefined };
  } catch (err) {
    if (err instanceof RequestError && err.code !== undefined)
      return { state: 'unreadable', error: err.message };
    throw err;
  }
}
