/**
 * Fills the MCS API front end's snapshot for one exported Service from the caches
 * (mcs-api/snapshot.ts). Lookups only: the objects are the cached ones.
 */
import { EXPOSURE_CROSS_CLUSTER } from '../api/types.ts';
import type { ExportMember, ExportSnapshot } from '../mcs-api/snapshot.ts';
import { backingServiceName } from '../names.ts';
import { resolveClusterSets } from '../plan/clusters.ts';
import { isDeleting } from '../plan/context.ts';
import type { SnapshotSources } from './snapshot.ts';

/** What the snapshot is built from: the same sources as an MCS key's snapshot. */
export type ExportSnapshotSources = SnapshotSources;

/**
 * The members where a CrossCluster MultiClusterService of the same Service puts its Service and
 * copies: its consumers (docs/architecture.md § Kubernetes MCS API, exported both ways).
 */
function mcsConsumers(s: ExportSnapshotSources, namespace: string, name: string): Set<string> {
  const mcs = s.hub.mcs.get(name, namespace);
  if (!mcs || isDeleting(mcs)) return new Set();
  const types = mcs.spec?.types ?? [];
  if (types.length > 0 && !types.includes(EXPOSURE_CROSS_CLUSTER)) return new Set();
  const known = s.members.map((m) => m.name);
  return new Set(resolveClusterSets(mcs.spec ?? {}, known).consumers);
}

/** The front end's input for the exported Service `namespace/name`; Pull members take no part. */
export function buildExportSnapshot(
  namespace: string,
  name: string,
  s: ExportSnapshotSources,
): ExportSnapshot {
  const backing = backingServiceName(name);
  const clusters: ExportMember[] = [];
  for (const m of s.members) {
    const api = m.cache.mcsApi;
    if (m.pull || !api) continue;
    clusters.push({
      name: m.name,
      ready: m.ready,
      notReadySince: m.notReadySince === undefined ? undefined : s.now - (s.monotonicNow - m.notReadySince),
      // Nothing is written or withdrawn in a member until its MCS API caches have listed too.
      synced: m.cache.synced && api.synced,
      namespace: m.cache.namespaces.get(namespace),
      service: m.cache.services.get(backing, namespace),
      endpointSlices: m.cache.slicesOf(namespace, backing),
      sourceSlices: m.cache.slicesOf(namespace, name),
      exportedService: m.cache.services.get(name, namespace),
      serviceExport: api.exports.get(name, namespace),
      serviceImport: api.imports.get(name, namespace),
    });
  }
  return {
    namespace,
    name,
    hubSynced: s.hub.synced && s.sourceSynced,
    clusters,
    mcsConsumers: mcsConsumers(s, namespace, name),
    now: s.now,
    unreadyGraceMs: s.unreadyGraceMs,
  };
}
