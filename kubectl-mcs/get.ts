/**
 * `kubectl mcs get`: the MultiClusterServices with their endpoints per cluster, from one list
 * of MCS on the hub and one list of EndpointSlices per member.
 */
import type { V1EndpointSlice } from '@kubernetes/client-node';
import type { MultiClusterService } from '../syncer/api/types.ts';
import { LABEL_SERVICE_NAME } from '../syncer/names.ts';
import { resolveClusterSets } from '../syncer/plan/clusters.ts';
import { isCollectable, isOwnedSlice, sourceClusterOf } from '../syncer/plan/slices.ts';
import { listAll, type Target } from './api.ts';
import { table } from './format.ts';
import type { MemberList } from './members.ts';
import { countEndpoints } from './rows.ts';

/** One line of `kubectl mcs get`. */
export interface McsLine {
  readonly namespace: string;
  readonly name: string;
  readonly types: readonly string[];
  /** Per provider: its ready/total endpoints (undefined: not read, its source says it is not ready). */
  readonly providers: readonly { cluster: string; ready?: number; total?: number }[];
  /** Per consumer: the ready/total endpoints its copies hold. */
  readonly consumers: readonly { cluster: string; ready?: number; total?: number }[];
  /** `ok`, or the first condition that is not True (`EndpointSliceDispatched=False (ClusterNotReady)`). */
  readonly status: string;
}

/** The lines, from the MCS list and each member's slices (undefined for a member not read). Pure. */
export function mcsLines(
  list: readonly MultiClusterService[],
  slices: ReadonlyMap<string, readonly V1EndpointSlice[] | undefined>,
): McsLine[] {
  const names = [...slices.keys()].sort();
  return [...list]
    .sort((a, b) => key(a).localeCompare(key(b)))
    .map((mcs) => {
      const ns = mcs.metadata?.namespace ?? '';
      const name = mcs.metadata?.name ?? '';
      const sets = resolveClusterSets(mcs.spec ?? { types: [] }, names);
      const inNs = (cluster: string) =>
        slices
          .get(cluster)
          ?.filter((s) => s.metadata?.namespace === ns && s.metadata.labels?.[LABEL_SERVICE_NAME] === name);
      const providers = names
        .filter((c) => sets.providers.has(c))
        .map((cluster) => {
          const own = inNs(cluster)?.filter((s) => isCollectable(s, cluster, name));
          return { cluster, ...(own ? countEndpoints(own) : {}) };
        });
      const consumers = names
        .filter((c) => sets.consumers.has(c))
        .map((cluster) => {
          const copies = inNs(cluster)?.filter(
            (s) =>
              isOwnedSlice(s) &&
              sets.providers.has(sourceClusterOf(s) ?? '') &&
              sourceClusterOf(s) !== cluster,
          );
          return { cluster, ...(copies ? countEndpoints(copies) : {}) };
        });
      const notTrue = (mcs.status?.conditions ?? []).find((c) => c.status !== 'True');
      const status = !mcs.status?.conditions?.length
        ? 'no status'
        : notTrue
          ? `${notTrue.type}=${notTrue.status} (${notTrue.reason})`
          : 'ok';
      return { namespace: ns, name, types: mcs.spec?.types ?? [], providers, consumers, status };
    });
}

/** The table of {@link mcsLines}. */
export function renderLines(lines: readonly McsLine[]): string {
  if (lines.length === 0) return 'No MultiClusterServices found.\n';
  const counts = (l: McsLine['providers']) =>
    l.map((c) => `${c.cluster} ${c.total === undefined ? '?' : `${c.ready}/${c.total}`}`).join(', ') || '-';
  return `${table(
    ['NAMESPACE', 'NAME', 'TYPES', 'PROVIDERS (READY/ALL)', 'CONSUMERS (COPIED READY/ALL)', 'STATUS'],
    lines.map((l) => [
      l.namespace,
      l.name,
      l.types.join(',') || '-',
      counts(l.providers),
      counts(l.consumers),
      l.status,
    ]),
  )}\n`;
}

/** Reads the MCS list and every usable member's slices. */
export async function readLines(
  hub: Target,
  members: MemberList,
  namespace: string | undefined,
): Promise<McsLine[]> {
  const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const list =
    (await listAll<MultiClusterService & { kind?: string; apiVersion?: string }>(
      hub,
      `/apis/networking.karmada.io/v1alpha1${scope}/multiclusterservices`,
      { missingOk: true },
    )) ?? [];
  const slices = new Map<string, V1EndpointSlice[] | undefined>();
  await Promise.all(
    members.members.map(async (m) => {
      if (!m.sourceReady) {
        slices.set(m.name, undefined);
        return;
      }
      const t: Target = { cluster: m.name, kubeConfig: m.kubeConfig, timeoutMs: hub.timeoutMs };
      slices.set(
        m.name,
        await listAll<V1EndpointSlice>(t, `/apis/discovery.k8s.io/v1${scope}/endpointslices`, {
          labelSelector: LABEL_SERVICE_NAME,
        }),
      );
    }),
  );
  return mcsLines(list, slices);
}

function key(m: MultiClusterService): string {
  return `${m.metadata?.namespace}/${m.metadata?.name}`;
}
