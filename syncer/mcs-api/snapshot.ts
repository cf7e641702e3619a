/**
 * The input of one reconcile of one exported Service through the MCS API: what the engine
 * reads from its caches. Objects are the cached ones: never mutated.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { ServiceExport, ServiceImport } from '../api/multicluster.ts';
import type { MemberSnapshot } from '../plan/snapshot.ts';

/**
 * One member as the MCS API front end sees it. As a {@link MemberSnapshot} of the backing
 * Service's key: `service` is the backing Service, `endpointSlices` its slices (our copies),
 * `sourceSlices` the exported Service's own slices; `synced` covers the MCS API caches too.
 */
export interface ExportMember extends MemberSnapshot {
  /** The Service of the exported name in this member, if any (the user's, or an MCS copy). */
  readonly exportedService?: V1Service;
  /** The ServiceExport of that name in this member, if any (a user's or mcs-bridge's own). */
  readonly serviceExport?: ServiceExport;
  /** The ServiceImport of that name in this member, if any (ours or not). */
  readonly serviceImport?: ServiceImport;
}

/** Everything one reconcile of the exported Service `namespace/name` decides from. */
export interface ExportSnapshot {
  /** Namespace of the exported Service. */
  readonly namespace: string;
  /** Name of the exported Service (and of its ServiceExports and ServiceImports). */
  readonly name: string;
  /** Whether the cluster source has delivered its first list; nothing is planned until it has. */
  readonly hubSynced: boolean;
  /** Every member the MCS API serves (Pull members are not among them). */
  readonly clusters: readonly ExportMember[];
  /**
   * Members where a CrossCluster MultiClusterService of the same Service puts its Service and
   * copies: there the ServiceImport points at that Service, and no second set of copies is made.
   */
  readonly mcsConsumers: ReadonlySet<string>;
  /** Current time (epoch ms), from the engine's wall clock. */
  readonly now: number;
  /** The engine's `--unready-grace` (ms), as for MultiClusterServices. */
  readonly unreadyGraceMs?: number;
}
