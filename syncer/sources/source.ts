/**
 * Where the syncer learns which member clusters exist and how to reach them.
 */
import type { KubeConfig } from '@kubernetes/client-node';

/** A member cluster as its source describes it. */
export interface MemberDefinition {
  name: string;
  kubeConfig: KubeConfig;
  /** Whether the source considers it ready (Karmada's Ready condition). */
  sourceReady: boolean;
  /** Why it is not ready, when the source knows. */
  sourceReason?: string;
  /** Changes whenever the endpoint, credentials or sync mode change (the member's client then takes the new ones). */
  fingerprint: string;
  /** Set while its credentials could not be read again and the last good ones are kept. */
  credentialsWarning?: string;
  /**
   * A Karmada Pull-mode cluster: its API server is never called; it is read and written
   * through the Works of its execution space (engine/pull-member-client.ts).
   */
  pull?: boolean;
}

/** A source of member clusters. */
export interface ClusterSource {
  /** For logs: `kubeconfig` or `karmada`. */
  readonly kind: string;
  /** True once the source has delivered its first complete list: until then nothing is withdrawn. */
  readonly synced: boolean;
  /** Starts the source; `onChange` receives the full list on every change. */
  start(onChange: (members: MemberDefinition[]) => void): Promise<void>;
  stop(): Promise<void>;
  /** Restarts the source's own watches, if it has any (the hub answers again after an outage). */
  restartWatches?(): void;
}
