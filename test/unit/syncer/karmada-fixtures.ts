/**
 * What Karmada v1.18.2's MultiClusterService path leaves on the hub and in the members for the
 * seed (provider member1, consumer member2), as seen on the Karmada sandbox: the marker,
 * collected and dispatched Works, the dispatched copy `member1-<slice>` and the Service copies.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { CoexistenceInput } from '../../../syncer/karmada/decide.ts';
import type { WorkFact, WorkRole } from '../../../syncer/karmada/facts.ts';
import { localSlice, M1, M2, mcs, member, NS, SVC, served, T0 } from './fixtures.ts';

/** The source slice in member1 and the name of its copy in member2. */
export const SOURCE = 'nginx-7x5kn';
export const COPY = `${M1}-${SOURCE}`;

/** One Work of Karmada's MCS path (names as Karmada derives them). */
export function work(
  role: WorkRole,
  cluster: string,
  o: { probe?: string; deleting?: boolean } = {},
): WorkFact {
  const name = role === 'marker' ? 'nginx-788455584b' : `${SOURCE}-64f6b7b8bf`;
  return {
    namespace: `karmada-es-${cluster}`,
    name,
    uid: `uid-${role}-${cluster}`,
    resourceVersion: '7',
    mcsNamespace: NS,
    mcsName: SVC,
    role,
    cluster,
    manifestName: role === 'marker' ? SVC : role === 'dispatched' ? COPY : SOURCE,
    probe: o.probe,
    finalizers:
      role === 'collected'
        ? ['karmada.io/mcs-endpointslice-dispatch-controller']
        : role === 'dispatched'
          ? ['karmada.io/execution-controller']
          : [],
    deleting: o.deleting ?? false,
  };
}

/** The three Works Karmada keeps for the seed, the marker carrying `probe` if given. */
export function seedWorks(probe?: string): WorkFact[] {
  return [work('marker', M1, { probe }), work('collected', M1), work('dispatched', M2)];
}

/** The copy Karmada's execution controller applied in member2 (or left behind, `held: false`). */
export function karmadaCopy(o: { held?: boolean } = {}): V1EndpointSlice {
  const held = o.held ?? true;
  return localSlice(M1, COPY, ['10.10.1.1', '10.10.1.2'], {
    labels: {
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-dispatch-controller.karmada.io',
      ...(held ? { 'karmada.io/managed': 'true', 'work.karmada.io/permanent-id': 'p-1' } : {}),
    },
    annotations: {
      'endpointslice.karmada.io/provision-cluster': M1,
      ...(held
        ? {
            'resourcetemplate.karmada.io/managed-annotations':
              'endpointslice.karmada.io/provision-cluster,resourcetemplate.karmada.io/managed-annotations,resourcetemplate.karmada.io/managed-labels,resourcetemplate.karmada.io/uid,work.karmada.io/name,work.karmada.io/namespace',
            'resourcetemplate.karmada.io/managed-labels':
              'endpointslice.kubernetes.io/managed-by,karmada.io/managed,kubernetes.io/service-name,work.karmada.io/permanent-id',
            'work.karmada.io/name': `${SOURCE}-64f6b7b8bf`,
            'work.karmada.io/namespace': `karmada-es-${M2}`,
          }
        : {}),
    },
  });
}

/** member1's own slice, labelled like its Service (the EndpointSlice controller copies a Service's labels). */
export function sourceSlice(o: { karmadaLabels?: boolean } = {}): V1EndpointSlice {
  return localSlice(M1, SOURCE, ['10.10.1.1', '10.10.1.2'], {
    labels: o.karmadaLabels ? { 'karmada.io/managed': 'true' } : {},
  });
}

/** A Service copy as Karmada's execution controller applies it for an MCS (plus `labels`). */
export function karmadaService(clusterIP: string, labels: Record<string, string> = {}): V1Service {
  return served.service(
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: SVC,
        namespace: NS,
        labels: {
          'karmada.io/managed': 'true',
          'resourcetemplate.karmada.io/claimed-by': 'MultiClusterService',
          'multiclusterservice.karmada.io/permanent-id': 'mcs-1',
          'resourcebinding.karmada.io/permanent-id': 'rb-1',
          'work.karmada.io/permanent-id': 'w-1',
          ...labels,
        },
        annotations: {
          'resourcetemplate.karmada.io/managed-labels':
            'karmada.io/managed,multiclusterservice.karmada.io/permanent-id,resourcebinding.karmada.io/permanent-id,resourcetemplate.karmada.io/claimed-by,work.karmada.io/permanent-id',
          'resourcetemplate.karmada.io/managed-annotations':
            'resourcebinding.karmada.io/name,resourcebinding.karmada.io/namespace,resourcetemplate.karmada.io/managed-annotations,resourcetemplate.karmada.io/managed-labels,work.karmada.io/name,work.karmada.io/namespace',
          'resourcebinding.karmada.io/name': 'nginx-service',
          'resourcebinding.karmada.io/namespace': NS,
          'work.karmada.io/name': 'nginx-674d976789',
          'work.karmada.io/namespace': 'karmada-es-x',
          'example.com/kept': 'yes',
        },
      },
      spec: { ports: [{ port: 80, targetPort: 80 }], selector: { app: 'nginx' } },
    },
    clusterIP,
  );
}

/** Karmada serving the seed: its Works, its Service copies in both members, its copy in member2. */
export function karmadaServing(o: Partial<CoexistenceInput> = {}): CoexistenceInput {
  return {
    namespace: NS,
    name: SVC,
    mcs: {
      ...mcs({ finalizer: false }),
      metadata: { ...mcs().metadata, finalizers: ['karmada.io/multiclusterservice-controller'] },
    },
    works: seedWorks(),
    clusters: [
      member(M1, { service: karmadaService('10.97.30.143'), slices: [sourceSlice({ karmadaLabels: true })] }),
      member(M2, { service: karmadaService('10.98.137.172'), slices: [karmadaCopy()] }),
    ],
    takeover: false,
    probeTimeoutMs: 30_000,
    now: T0,
    ...o,
  };
}
