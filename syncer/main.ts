#!/usr/bin/env node
/**
 * mcs-bridge-syncer: carries out MultiClusterService objects across member clusters.
 * This file only wires things together: flags, clients, the controller, leader election,
 * the health server and signal handling.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { KubeConfig } from '@kubernetes/client-node';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { runMain } from '../lib/cli.ts';
import { reuseConnections } from '../lib/kube-connections.ts';
import { describeApiError, httpCode } from '../lib/kube-errors.ts';
import { parseSyncerArgs, type SyncerConfig } from './config.ts';
import { Controller } from './engine/controller.ts';
import { LeaderElector } from './engine/leader.ts';
import { SyncerMetrics } from './engine/metrics.ts';
import { buildHealthServer } from './health-server.ts';
import { ClusterClient } from './kube/cluster-client.ts';
import { leaseClient } from './kube/lease-client.ts';
import { KARMADA_CLUSTER, KarmadaSource } from './sources/karmada-source.ts';
import { KubeconfigSource } from './sources/kubeconfig-source.ts';
import type { ClusterSource } from './sources/source.ts';

function hubKubeConfig(c: SyncerConfig): KubeConfig {
  const kc = new KubeConfig();
  try {
    if (c.kubeconfig) kc.loadFromFile(c.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new Error(
      `cannot load the hub kubeconfig ${c.kubeconfig ?? '(default)'}: ${(err as Error).message}`,
    );
  }
  if (c.context) {
    if (!kc.getContextObject(c.context))
      throw new Error(`--context: the hub kubeconfig has no context '${c.context}'`);
    kc.setCurrentContext(c.context);
  }
  if (!kc.getCurrentCluster())
    throw new Error('the hub kubeconfig has no current cluster: give --kubeconfig and --context');
  return reuseConnections(kc);
}

/** Chooses the cluster source: as configured, or Karmada's when the hub serves its Cluster API. */
async function clusterSource(
  c: SyncerConfig,
  hub: ClusterClient,
  logger: pino.Logger,
  metrics: SyncerMetrics,
): Promise<ClusterSource> {
  if (c.clusterSource === 'kubeconfig' && c.memberKubeconfig) {
    const all = new KubeConfig();
    all.loadFromFile(c.memberKubeconfig);
    const unknown = c.memberContexts.filter((n) => !all.getContextObject(n));
    if (unknown.length > 0)
      throw new Error(`--member-context: ${c.memberKubeconfig} has no context ${unknown.join(', ')}`);
    const exclude =
      c.memberContexts.length > 0
        ? all
            .getContexts()
            .map((x) => x.name)
            .filter((n) => !c.memberContexts.includes(n))
        : [];
    return new KubeconfigSource(c.memberKubeconfig, exclude);
  }
  if (c.clusterSource === undefined) {
    const { group, version, plural } = KARMADA_CLUSTER;
    try {
      await hub.custom.listClusterCustomObject({ group, version, plural, limit: 1 });
    } catch (err) {
      if (httpCode(err) === 404) {
        throw new Error(
          `the hub does not serve ${group} (no Karmada Cluster objects): give the member clusters with --member-kubeconfig FILE`,
        );
      }
      throw new Error(`cannot reach the hub to look for Karmada clusters: ${describeApiError(err)}`);
    }
  }
  return new KarmadaSource(hub, logger, metrics);
}

runMain('mcs-bridge-syncer', async () => {
  const config = parseSyncerArgs(process.argv.slice(2), process.env);
  if (!config) return 0;
  const logger = pino({ level: config.logLevel, base: { component: 'syncer' } });
  const registry = new Registry();
  const metrics = new SyncerMetrics(registry);
  const identity = `${process.env.POD_NAME ?? os.hostname()}_${randomBytes(4).toString('hex')}`;
  const hub = new ClusterClient('hub', hubKubeConfig(config), metrics);
  const source = await clusterSource(config, hub, logger, metrics);
  const controller = new Controller({
    hub,
    source,
    logger,
    metrics,
    now: Date.now,
    workers: config.workers,
    slowMemberWaitMs: config.slowMemberWaitMs,
    unreadyGraceMs: config.unreadyGraceMs,
    healthIntervalMs: config.healthIntervalMs,
    resyncMs: config.resyncMs,
    instance: identity,
    karmada: { takeover: config.karmadaTakeover, probeTimeoutMs: config.karmadaProbeTimeoutMs },
  });

  const server = buildHealthServer({ registry, ready: () => controller.synced });
  if (config.metricsPort > 0) {
    await server.listen({ port: config.metricsPort, host: config.metricsBindAddress });
  }
  logger.info(
    {
      identity,
      source: source.kind,
      metricsPort: config.metricsPort,
      leaderElect: config.leaderElect,
      karmadaTakeover: config.karmadaTakeover,
    },
    'mcs-bridge-syncer starting',
  );
  await controller.start();
  await controller.waitForSync(30_000);

  let elector: LeaderElector | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    await elector?.stop();
    await controller.stop();
    await server.close();
    logger.info('stopped');
  };
  const done = new Promise<number>((resolve) => {
    for (const sig of ['SIGTERM', 'SIGINT'] as const) {
      process.once(sig, () => void shutdown(sig).then(() => resolve(0)));
    }
  });

  if (config.leaderElect) {
    elector = new LeaderElector({
      client: leaseClient(hub, config.leaseNamespace, config.leaseName),
      identity,
      leaseRef: `${config.leaseNamespace}/${config.leaseName}`,
      timings: {
        leaseDurationMs: config.leaseDurationMs,
        renewDeadlineMs: config.renewDeadlineMs,
        retryPeriodMs: config.retryPeriodMs,
      },
      logger,
      now: Date.now,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
      onStartedLeading: () => {
        metrics.leader.set(1);
        controller.runWorkers();
      },
      onStoppedLeading: () => {
        metrics.leader.set(0);
        // Another replica may be writing already: stop at once rather than race it.
        logger.fatal('lost leadership: exiting');
        process.exit(1);
      },
    });
    void elector.run();
  } else {
    metrics.leader.set(1);
    controller.runWorkers();
  }
  return done;
});
