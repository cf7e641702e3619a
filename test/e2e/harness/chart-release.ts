/**
 * One release of the chart on the sandbox hub, run the way the chart suite needs it: its
 * values (ports from the sandbox's free range, webhooks reached at a loopback URL and limited
 * to one namespace, members from a kubeconfig Secret), helm install/upgrade/uninstall, and its
 * two containers started as local processes authenticated as its ServiceAccount.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AdmissionregistrationV1Api,
  CoreV1Api,
  type KubernetesObject,
  KubernetesObjectApi,
  type V1Deployment,
} from '@kubernetes/client-node';
import { MEMBERS } from '../../sandbox/layout.ts';
import { freePort, type RunningProgram } from '../../sandbox/our-processes.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { kubectl } from '../../sandbox/testing.ts';
import {
  CHART_DIR,
  helm,
  releaseObjects,
  serviceAccountToken,
  startContainer,
  tokenKubeconfig,
  writePrivate,
} from './chart.ts';

/** The ClusterRole (and ServiceAccount) the chart documents for every member. */
export const MEMBER_RBAC = path.join(CHART_DIR, 'member-rbac.yaml');

/** A release whose webhooks only see `appNamespace`, with local processes for its pod. */
export class LocalRelease {
  /** `<release>-mcs-bridge`, the prefix of its objects. */
  readonly fullname: string;
  readonly ports = { webhook: 0, health: 0, metrics: 0 };
  readonly programs: Partial<Record<'webhook' | 'syncer', RunningProgram>> = {};
  /** The kubeconfig of the chart's ServiceAccount on the hub (after {@link startPod}). */
  hubKubeconfig = '';
  installed = false;

  constructor(
    private readonly sb: Sandbox,
    readonly name: string,
    /** The release namespace, on the hub. */
    readonly namespace: string,
    /** The one namespace whose MultiClusterServices go through the webhooks. */
    readonly appNamespace: string,
    /** A folder for values, kubeconfigs and the containers' volumes. */
    private readonly dir: string,
  ) {
    this.fullname = `${name}-mcs-bridge`;
  }

  /** Each member's token for the ServiceAccount of member-rbac.yaml (after {@link prepare}). */
  readonly memberTokens = new Map<string, string>();

  /**
   * Picks ports, puts the member ClusterRole in each member, and a kubeconfig of the members
   * with their tokens on the hub (Secret `members`). Returns the cleanup of the members.
   */
  async prepare(): Promise<() => Promise<void>> {
    this.ports.webhook = await freePort(this.sb);
    this.ports.health = await freePort(this.sb);
    this.ports.metrics = await freePort(this.sb);
    const contexts = [];
    for (const member of MEMBERS) {
      await kubectl(this.sb, ['--context', member, 'apply', '-f', MEMBER_RBAC]);
      const token = await serviceAccountToken(this.sb, member, 'mcs-system', 'mcs-bridge-member');
      this.memberTokens.set(member, token);
      contexts.push({ name: member, cluster: member, token });
    }
    await this.sb
      .kubeConfig('hub')
      .makeApiClient(CoreV1Api)
      .createNamespacedSecret({
        namespace: this.namespace,
        body: {
          metadata: { name: 'members' },
          stringData: { kubeconfig: tokenKubeconfig(this.sb, contexts) },
        },
      });
    return async () => {
      for (const member of MEMBERS) {
        await kubectl(this.sb, ['--context', member, 'delete', '-f', MEMBER_RBAC, '--wait=false']).catch(
          () => undefined,
        );
      }
    };
  }

  /** The suite's values, with `extra` merged over the top level. */
  values(extra: Record<string, unknown> = {}): object {
    return {
      webhook: {
        port: this.ports.webhook,
        healthPort: this.ports.health,
        // The sandbox's API servers cannot reach Services; the webhook is a local process.
        url: `https://127.0.0.1:${this.ports.webhook}`,
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': this.appNamespace } },
      },
      syncer: { metricsPort: this.ports.metrics, clusterHealthInterval: '1s' },
      members: { source: 'kubeconfig', kubeconfig: { secretName: 'members' } },
      tls: { selfManaged: { keyType: 'ecdsa', checkInterval: '2s' } },
      ...extra,
    };
  }

  /** `helm install` or `helm upgrade` with these values. */
  async helm(verb: 'install' | 'upgrade', values: object): Promise<void> {
    const file = await writePrivate(path.join(this.dir, `${verb}-values.json`), JSON.stringify(values));
    await helm(this.sb, [verb, this.name, CHART_DIR, '-n', this.namespace, '-f', file]);
    this.installed = true;
  }

  /** `helm uninstall`, when installed. */
  async uninstall(): Promise<void> {
    if (!this.installed) return;
    await helm(this.sb, ['uninstall', this.name, '-n', this.namespace]);
    this.installed = false;
  }

  /** The objects of the release as rendered. */
  objects(): Promise<KubernetesObject[]> {
    return releaseObjects(this.sb, this.name, this.namespace);
  }

  /**
   * Starts both containers of the rendered Deployment, the webhook first (it must be ready
   * before the syncer's writes on MultiClusterServices go through it). `run` names the round.
   */
  async startPod(run: string): Promise<void> {
    if (!this.hubKubeconfig) {
      const token = await serviceAccountToken(this.sb, 'hub', this.namespace, this.fullname);
      this.hubKubeconfig = await writePrivate(
        path.join(this.dir, 'hub-sa.kubeconfig'),
        tokenKubeconfig(this.sb, [{ name: 'hub', cluster: 'hub', token }]),
      );
    }
    const deployment = (await this.objects()).find((o) => o.kind === 'Deployment') as V1Deployment;
    for (const name of ['webhook', 'syncer'] as const) {
      this.programs[name] = await startContainer(this.sb, deployment, name, {
        dir: path.join(this.dir, run),
        hubKubeconfig: this.hubKubeconfig,
        processName: `${this.name}-${name}-${run}`,
      });
    }
  }

  /** The member kubeconfig as the syncer of a round sees it. */
  memberKubeconfig(run: string): string {
    return path.join(this.dir, run, 'syncer', 'members', 'kubeconfig');
  }

  /** The data of the certificate Secret (base64 values, as the API returns them). */
  async tlsSecretData(): Promise<Record<string, string>> {
    const core = this.sb.kubeConfig('hub').makeApiClient(CoreV1Api);
    const secret = await core.readNamespacedSecret({
      namespace: this.namespace,
      name: `${this.fullname}-tls`,
    });
    return secret.data ?? {};
  }

  /**
   * What no log line or metric of the release may show: the tokens of its ServiceAccount and of
   * the members, and the private keys in its certificate Secret (a line of each PEM body).
   */
  async secrets(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const hub = JSON.parse(await readFile(this.hubKubeconfig, 'utf8')) as {
      users: { user: { token: string } }[];
    };
    for (const u of hub.users) found.set("the chart ServiceAccount's token", u.user.token);
    for (const [member, token] of this.memberTokens) found.set(`${member}'s token`, token);
    const data = await this.tlsSecretData();
    for (const key of ['tls.key', 'ca.key']) {
      const pem = Buffer.from(data[key] ?? '', 'base64').toString('utf8');
      const line = pem.split('\n')[1];
      if (line) found.set(`${key} of the certificate Secret`, line);
    }
    return found;
  }

  /** Everything the release's processes printed, every round, by log file. */
  async logs(): Promise<Map<string, string>> {
    const dir = this.sb.layout.logsDir;
    const files = (await readdir(dir)).filter((f) => f.startsWith(`${this.name}-`));
    return new Map(
      await Promise.all(files.map(async (f) => [f, await readFile(path.join(dir, f), 'utf8')] as const)),
    );
  }

  /** The webhooks of both configurations, mutating first. */
  async webhooks() {
    const api = this.sb.kubeConfig('hub').makeApiClient(AdmissionregistrationV1Api);
    const m = await api.readMutatingWebhookConfiguration({ name: this.fullname });
    const v = await api.readValidatingWebhookConfiguration({ name: this.fullname });
    return [...(m.webhooks ?? []), ...(v.webhooks ?? [])];
  }

  /** Reads one of the release's objects back from the hub (rejects with code 404 once gone). */
  read(o: KubernetesObject): Promise<KubernetesObject> {
    const { name = '', namespace } = o.metadata ?? {};
    return KubernetesObjectApi.makeApiClient(this.sb.kubeConfig('hub')).read({
      ...o,
      metadata: { name, ...(namespace ? { namespace } : {}) },
    });
  }

  /**
   * Stops the syncer, uninstalls (the webhook configurations go while the webhook still
   * answers, so nothing is left calling it), then stops the webhook.
   */
  async teardown(): Promise<void> {
    await this.stop('syncer');
    try {
      await this.uninstall();
    } finally {
      await this.stop('webhook');
    }
  }

  /** Stops the syncer, then the webhook. */
  async stopPod(): Promise<void> {
    await this.stop('syncer');
    await this.stop('webhook');
  }

  /** Stops one program, once: a stopped one is forgotten, so its pid is never signalled again. */
  private async stop(name: 'webhook' | 'syncer'): Promise<void> {
    const program = this.programs[name];
    delete this.programs[name];
    await program?.stop();
  }
}
