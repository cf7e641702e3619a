/**
 * Where the syncer learns which member clusters exist and how to reach them.
 */
import type { MemberDefinition } from '../engine/clusters.ts';

/** A source of member clusters. */
export interface ClusterSource {
  /** For logs: `kubeconfig` or `karmada`. */
  readonly kind: string;
  /** True once the source has delivered its first complete list: until then nothing is withdrawn. */
  readonly synced: boolean;
  /** Starts the source; `onChange` receives the full list on every change. */
  start(onChange: (members: MemberDefinition[]) => void): Promise<void>;
  stop(): Promise<void>;
}
