/**
 * `--cluster-source=karmada`: member clusters are Karmada's Cluster objects
 * (cluster.karmada.io/v1alpha1) on the hub. Push-mode clusters are reached at
 * `spec.apiEndpoint` with the token and CA bundle of the Secret `spec.secretRef` names;
 * readiness is their `Ready` condition. A Pull-mode cluster cannot be reached from the
 * control plane: it is known (so its name resolves) but never ready, so what it holds
 * is never withdrawn.
 */
import { createHash } from 'node:crypto';
import { KubeConfig, type KubernetesObject, type V1Condition } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { reuseConnections } from '../../lib/kube-connections.ts';
import { describeApiError } from '../../lib/kube-errors.ts';
import type { MemberDefinition } from '../engine/clusters.ts';
import type { SyncerMetrics } from '../engine/metrics.ts';
import type { ClusterClient } from '../kube/cluster-client.ts';
import { trimObject } from '../kube/compact.ts';
import { Informer } from '../kube/informer.ts';
import type { ClusterSource } from './source.ts';

/** The fields of Karmada's Cluster the syncer reads. */
export interface KarmadaCluster extends KubernetesObject {
  spec?: {
    apiEndpoint?: string;
    secretRef?: { namespace?: string; name?: string };
    insecureSkipTLSVerification?: boolean;
    syncMode?: string;
    proxyURL?: string;
  };
  status?: { conditions?: V1Condition[] };
}

/** Group, version and plural of Karmada's Cluster. */
export const KARMADA_CLUSTER = {
  group: 'cluster.karmada.io',
  version: 'v1alpha1',
  plural: 'clusters',
} as const;

/** Credentials read from a Cluster's Secret. */
export interface ClusterCredentials {
  token?: string;
  caBundle?: string;
}

/** The member a Cluster describes, or why it cannot be reached (pure). */
export function memberFromCluster(
  cluster: KarmadaCluster,
  creds: ClusterCredentials | string,
): MemberDefinition {
  const name = cluster.metadata?.name ?? '';
  const spec = cluster.spec ?? {};
  const ready = cluster.status?.conditions?.find((c) => c.type === 'Ready');
  let sourceReady = ready?.status === 'True';
  let sourceReason = sourceReady
    ? undefined
    : `its Karmada Ready condition is ${ready ? `${ready.status} (${ready.reason ?? 'no reason'})` : 'missing'}`;
  let server = spec.apiEndpoint ?? '';
  if (server && !/^[a-z]+:\/\//i.test(server)) server = `https://${server}`;
  if (spec.syncMode === 'Pull') {
    sourceReady = false;
    sourceReason = 'it is a Pull-mode cluster, which the control plane cannot reach';
  } else if (!server) {
    sourceReady = false;
    sourceReason = 'its spec.apiEndpoint is empty';
  } else if (typeof creds === 'string') {
    sourceReady = false;
    sourceReason = creds;
  }
  const c = typeof creds === 'string' ? {} : creds;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [
      {
        name,
        server: server || 'https://invalid.local',
        caData: c.caBundle ? Buffer.from(c.caBundle).toString('base64') : undefined,
        skipTLSVerify: spec.insecureSkipTLSVerification === true,
      },
    ],
    users: [{ name, token: c.token }],
    contexts: [{ name, cluster: name, user: name }],
    currentContext: name,
  });
  const fingerprint = createHash('sha256')
    .update(
      JSON.stringify([server, c.token ?? '', c.caBundle ?? '', spec.insecureSkipTLSVerification === true]),
    )
    .digest('hex')
    .slice(0, 16);
  return { name, kubeConfig: reuseConnections(kc), sourceReady, sourceReason, fingerprint };
}

/** Watches Cluster objects on the hub and reads their Secrets. */
export class KarmadaSource implements ClusterSource {
  readonly kind = 'karmada';
  private readonly informer: Informer<KarmadaCluster>;
  private onChange: (members: MemberDefinition[]) => void = () => {};
  private refreshing: Promise<void> = Promise.resolve();
  private delivered = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: ClusterClient,
    private readonly logger: Logger,
    metrics: SyncerMetrics,
    /** How often Secrets are read again, so rotated credentials are picked up. */
    private readonly refreshMs = 60_000,
  ) {
    const { group, version, plural } = KARMADA_CLUSTER;
    this.informer = new Informer<KarmadaCluster>({
      cluster: hub.name,
      resource: plural,
      kubeConfig: hub.kubeConfig,
      logger,
      path: `/apis/${group}/${version}/${plural}`,
      list: (transform) => hub.list(`/apis/${group}/${version}/${plural}`, transform),
      transform: trimObject,
      onEvent: () => this.refresh(),
      onRestart: () => metrics.watchRestarts.inc({ cluster: hub.name, resource: plural }),
    });
  }

  get synced(): boolean {
    return this.delivered;
  }

  async start(onChange: (members: MemberDefinition[]) => void): Promise<void> {
    this.onChange = onChange;
    await this.informer.start();
    this.refresh();
    await this.refreshing;
    this.timer = setInterval(() => this.refresh(), this.refreshMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.informer.stop();
  }

  /** Rebuilds the member list; refreshes run one at a time, in order. */
  private refresh(): void {
    if (!this.informer.synced) return;
    this.refreshing = this.refreshing.then(async () => {
      const members: MemberDefinition[] = [];
      for (const cluster of this.informer.list())
        members.push(memberFromCluster(cluster, await this.credentials(cluster)));
      this.delivered = true;
      this.onChange(members);
    });
  }

  private async credentials(cluster: KarmadaCluster): Promise<ClusterCredentials | string> {
    const ref = cluster.spec?.secretRef;
    if (!ref?.name || !ref.namespace) return 'its spec.secretRef is missing';
    try {
      const secret = await this.hub.call('get', () =>
        this.hub.core.readNamespacedSecret({ name: ref.name as string, namespace: ref.namespace as string }),
      );
      const decode = (k: string) =>
        secret.data?.[k] ? Buffer.from(secret.data[k], 'base64').toString('utf8') : undefined;
      const token = decode('token');
      if (!token) return `its Secret ${ref.namespace}/${ref.name} has no token`;
      return { token, caBundle: decode('caBundle') };
    } catch (err) {
      const why = `cannot read its Secret ${ref.namespace}/${ref.name}: ${describeApiError(err)}`;
      this.logger.warn(
        { cluster: cluster.metadata?.name },
        `member cluster ${cluster.metadata?.name}: ${why}`,
      );
      return why;
    }
  }
}
