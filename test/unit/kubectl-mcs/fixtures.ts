/**
 * Facts of a diagnosis for tests: the seed scenario (nginx in member1, consumed by member2)
 * carried out by the syncer's own planner until nothing is left to write, so the baseline is
 * exactly what a working syncer leaves behind; each test changes one thing.
 */

import type { DiagnoseFacts, MemberFacts } from '../../../kubectl-mcs/facts.ts';
import type { McsCondition, MultiClusterService } from '../../../syncer/api/types.ts';
import type { McsSnapshot } from '../../../syncer/plan/snapshot.ts';
import {
  converge,
  hubService,
  localSlice,
  M1,
  M2,
  mcs,
  member,
  NS,
  SVC,
  snapshot,
  T0,
} from '../syncer/fixtures.ts';

/** When the facts were read: a minute after the fixtures' objects were written. */
export const NOW = T0 + 60_000;

const TRUE: McsCondition[] = ['ServiceApplied', 'EndpointSliceDispatched'].map((type) => ({
  type,
  status: 'True',
  observedGeneration: 1,
  lastTransitionTime: '2026-01-01T00:00:05Z',
  reason: `${type}Succeed`,
  message: 'ok',
}));

/** The seed's MCS as the hub holds it once the syncer reported on it. */
export function reportedMcs(o: Parameters<typeof mcs>[0] = {}, conditions = TRUE): MultiClusterService {
  const m = mcs(o);
  return { ...m, status: { conditions } };
}

/** The members of a converged snapshot as facts: read, ready, consumers with kube-dns and a Service CIDR. */
export function membersOf(s: McsSnapshot, consumers: readonly string[] = [M2]): MemberFacts[] {
  return s.clusters.map((c) => ({
    name: c.name,
    sourceReady: true,
    server: `https://${c.name}.example:6443`,
    read: true,
    apiReady: true,
    namespace: c.namespace,
    service: c.service,
    slices: c.endpointSlices,
    ...(consumers.includes(c.name)
      ? {
          kubeDns: 'present' as const,
          ranges: {
            ranges: [
              {
                cidr: '10.98.0.0/16',
                kind: 'service' as const,
                origin: 'ServiceCIDR kubernetes',
                exact: true,
              },
            ],
            unknown: [],
          },
        }
      : {}),
  }));
}

/** The healthy baseline: member1's two nginx endpoints copied into member2, a syncer leading. */
export function healthy(ips = ['10.10.1.1', '10.10.1.2']): DiagnoseFacts {
  const start = snapshot({
    clusters: [member(M1, { slices: [localSlice(M1, 'nginx-aaaaa', ips)] }), member(M2)],
  });
  const { state } = converge(start);
  return {
    now: NOW,
    hubServer: 'https://hub.example:6443',
    source: 'kubeconfig',
    mcs: reportedMcs(),
    hubService: hubService(),
    lease: {
      ref: 'mcs-system/mcs-bridge-syncer',
      state: 'present',
      holder: 'syncer-0_abcd',
      renewTime: new Date(NOW - 2_000).toISOString(),
      durationSeconds: 15,
    },
    members: membersOf(state),
  };
}

/** `f` with member `name` changed. */
export function withMemberFacts(f: DiagnoseFacts, name: string, change: Partial<MemberFacts>): DiagnoseFacts {
  return { ...f, members: f.members.map((m) => (m.name === name ? { ...m, ...change } : m)) };
}

/** Member `name` of `f`. */
export function memberFacts(f: DiagnoseFacts, name: string): MemberFacts {
  const m = f.members.find((x) => x.name === name);
  if (!m) throw new Error(`no member ${name}`);
  return m;
}

export { M1, M2, NS, SVC, T0 };
