/**
 * What is wrong with a Pull-mode member's link, decided from what the hub says of it
 * (facts.ts PullFacts): no karmada-agent heartbeat, a Work of mcs-bridge's the agent did not
 * apply (with its message), a provider whose agent reported no EndpointSlice of the Service.
 * Pure: facts in, problems out.
 */
import type { MemberFacts } from './facts.ts';
import { formatAge } from './format.ts';

/** A problem of a Pull-mode member (problems.ts Problem, its codes among them). */
export interface PullProblem {
  readonly code: 'AgentNotReporting' | 'WorkNotApplied' | 'ReportMissing';
  readonly cluster: string;
  readonly message: string;
  readonly next: string;
}

/** When the agent last renewed its Lease, as a phrase. */
export function heartbeatPhrase(m: MemberFacts, now: number): string {
  const hb = m.pull?.heartbeat;
  if (!hb) return '';
  if (hb.state === 'absent')
    return `; no Lease karmada-cluster/${m.name}: no karmada-agent has ever reported`;
  if (hb.state === 'unreadable')
    return `; its Lease karmada-cluster/${m.name} could not be read (${hb.error})`;
  const at = hb.renewTime ? Date.parse(hb.renewTime) : Number.NaN;
  return Number.isFinite(at)
    ? `; its karmada-agent last renewed its Lease karmada-cluster/${m.name} ${formatAge(now - at)} ago (${hb.renewTime})`
    : '';
}

/** A not-ready Pull member: its agent does not report. */
export function agentNotReporting(m: MemberFacts, now: number): PullProblem {
  return {
    code: 'AgentNotReporting',
    cluster: m.name,
    message: `${m.name} is a Pull-mode cluster and not ready: ${m.sourceReason ?? 'no Ready condition'}${heartbeatPhrase(m, now)}`,
    next: `is karmada-agent running beside ${m.name} and able to reach the control plane? its log; kubectl --context <hub> get cluster ${m.name} -o yaml. Meanwhile the syncer keeps what ${m.name} holds, and what came from it`,
  };
}

/** A ready Pull member's Works and reports, for one Service. */
export function pullProblems(
  m: MemberFacts,
  role: { provider: boolean },
  namespace: string,
  service: string,
): PullProblem[] {
  const facts = m.pull;
  if (!facts) return [];
  const out: PullProblem[] = [];
  for (const w of facts.works) {
    if (!w.applied?.startsWith('False')) continue;
    out.push({
      code: 'WorkNotApplied',
      cluster: m.name,
      message: `Work karmada-es-${m.name}/${w.name} (${w.kind}) is not applied by ${m.name}'s karmada-agent: ${w.applied.replace(/^False:\s*/, '')}`,
      next: `kubectl --context <hub> -n karmada-es-${m.name} get work ${w.name} -o yaml; an object of that name that no Work of mcs-bridge's made is in the way in ${m.name}, or a kind ${m.name} does not serve (the ServiceExport CRD)`,
    });
  }
  if (role.provider && facts.reports === 0) {
    const svcWork = facts.works.find((w) => w.kind === 'Service');
    const why = !svcWork
      ? `mcs-bridge has no Service Work there yet`
      : svcWork.applied === undefined
        ? `the agent has not reported on Work ${svcWork.name} (Service and ServiceExport) yet`
        : `Work ${svcWork.name} carries the Service${svcWork.exports ? ' and its ServiceExport' : ''}`;
    out.push({
      code: 'ReportMissing',
      cluster: m.name,
      message: `provider ${m.name}'s karmada-agent reported no EndpointSlice of ${namespace}/${service} (no Work labelled endpointslice.karmada.io/managed-by=ServiceExport in karmada-es-${m.name}): ${why}`,
      next: `kubectl --context ${m.name} -n ${namespace} get serviceexports.multicluster.x-k8s.io,endpointslices -l kubernetes.io/service-name=${service}: the ServiceExport CRD (v1alpha1) must be installed in ${m.name}, and the Service must have EndpointSlices there`,
    });
  }
  return out;
}
