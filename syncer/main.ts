#!/usr/bin/env -S node --max-semi-space-size=4
/**
 * mcs-bridge-syncer: carries out MultiClusterService objects across member clusters.
 * This file only wires things together: flags, clients, the controller, leader election,
 * the health server and signal handling (docs/architecture.md has the whole picture).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import v8 from 'node:v8';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { runMain } from '../lib/cli.ts';
import { describeApiError, httpCode } from '../lib/kube-errors.ts';
import { redactingLoggerOptions, SecretScrubber } from '../lib/log-redaction.ts';
import { realClocks, realTimers } from '../lib/timers.ts';
import { parseSyncerArgs, type SyncerConfig } from './config.ts';
import { Controller } from './engine/controller.ts';
import { LeaderElector } from './engine/leader.ts';
import { SyncerMetrics } from './engine/metrics.ts';
import { gcFlags } from './gc-tuning.ts';
import { buildHealthServer } from './health-server.ts';
import { ClusterClient, type KubeClient } from './kube/cluster-client.ts';
import { loadHubKubeConfig } from './kube/hub-kubeconfig.ts';
import { leaseClient } from './kube/lease-client.ts';
import { WriteGate } from './kube/write-gate.ts';
import { shutDown } from './shutdown.ts';
import { KARMADA_CLUSTER, KarmadaSource } from './sources/karmada-source.ts';
import { excludedContexts, KubeconfigSource, loadMemberKubeconfig } from './sources/kubeconfig-source.ts';
import type { ClusterSource } from './sources/source.ts';

/** Longest a shutdown waits for writes in flight before aborting them and releasing the Lease. */
const SHUTDOWN_DRAIN_MS = 10_000;

/** Chooses the cluster source: as configured, or Karmada's when the hub serves its Cluster API. */
async function clusterSource(
  c: SyncerConfig,
  hub: KubeClient,
  logger: pino.Logger,
  metrics: SyncerMetrics,
  scrubber: SecretScrubber,
): Promise<ClusterSource> {
  if (c.clusterSource === 'kubeconfig' && c.memberKubeconfig) {
    // Their tokens are scrubbed from every log line (lib/log-redaction.ts).
    scrubber.addKubeconfigUsers(loadMemberKubeconfig(c.memberKubeconfig).getUsers());
    return new KubeconfigSource(c.memberKubeconfig, excludedContexts(c.memberKubeconfig, c.memberContexts));
  }
  const { group, version, plural } = KARMADA_CLUSTER;
  if (c.clusterSource === undefined) {
    try {
      await hub.request('list', {
        method: 'GET',
        path: `/apis/${group}/${version}/${plural}`,
        query: { limit: 1 },
        timeoutMs: 10_000,
      });
    } catch (err) {
      if (httpCode(err) === 404) {
        throw new Error(
          `the hub does not serve ${group} (no Karmada Cluster objects): give the member clusters with --member-kubeconfig FILE`,
        );
      }
      throw new Error(`cannot reach the hub to look for Karmada clusters: ${describeApiError(err)}`);
    }
  }
  return new KarmadaSource({
    hub,
    logger,
    onWatchRestart: () => metrics.watchRestarts.inc({ cluster: hub.name, resource: plural }),
    onCredentials: (creds) => scrubber.add(creds.token),
  });
}

runMain('mcs-bridge-syncer', async () => {
  const config = parseSyncerArgs(process.argv.slice(2), process.env);
  if (!config) return 0;
  // Before the caches fill: how far the heap may grow past what is live (gc-tuning.ts).
  const gc = gcFlags(process.execArgv, process.env.NODE_OPTIONS);
  for (const flag of gc) v8.setFlagsFromString(flag);
  const scrubber = new SecretScrubber();
  const logger = pino(
    redactingLoggerOptions({ level: config.logLevel, base: { component: 'syncer' } }, scrubber),
  );
  const registry = new Registry();
  const metrics = new SyncerMetrics(registry);
  const identity = `${process.env.POD_NAME ?? os.hostname()}_${randomBytes(4).toString('hex')}`;
  const hubConfig = loadHubKubeConfig(config);
  scrubber.addKubeconfigUsers(hubConfig.getUsers());
  // With leader election, nothing is written until this replica leads (see kube/write-gate.ts).
  // Its deadlines are on the monotonic clock: a wall clock stepped back must not stretch them.
  const gate = new WriteGate(realClocks.monotonic, !config.leaderElect, realTimers);
  const hub = new ClusterClient('hub', hubConfig, metrics.apiRequests, gate, config.requestTimeoutMs);
  const source = await clusterSource(config, hub, logger, metrics, scrubber);
  const controller = new Controller({
    hub,
    source,
    logger,
    metrics,
    clocks: realClocks,
    workers: config.workers,
    slowMemberWaitMs: config.slowMemberWaitMs,
    unreadyGraceMs: config.unreadyGraceMs,
    healthIntervalMs: config.healthIntervalMs,
    resyncMs: config.resyncMs,
    requestTimeoutMs: config.requestTimeoutMs,
    instance: identity,
    gate,
    karmada: { takeover: config.karmadaTakeover, probeTimeoutMs: config.karmadaProbeTimeoutMs },
    mcsApi: config.mcsApi,
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
      nodeFlags: process.execArgv,
      v8Flags: gc.length > 0 ? gc : 'as Node was started',
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
    logger.info({ signal }, 'shutting down: finishing the writes in flight before giving up the Lease');
    await shutDown(
      {
        drainWrites: () => controller.drainWrites(),
        stopElection: async () => elector?.stop(),
        fenceWrites: (reason) => gate.close(reason),
        releaseLease: async () => elector?.release(),
        stopTheRest: async () => {
          await controller.stopCaches();
          await server.close();
        },
      },
      { logger, timers: realTimers, drainMs: SHUTDOWN_DRAIN_MS },
    );
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
      clocks: realClocks,
      timers: realTimers,
      fence: gate,
      onStartedLeading: () => {
        metrics.leader.set(1);
        controller.runWorkers();
      },
      onStoppedLeading: (reason) => {
        metrics.leader.set(0);
        if (stopping) return;
        // The gate is closed already. Another replica may lead by now: exit rather than race it.
        logger.fatal(`lost leadership (${reason}): exiting so a fresh start campaigns again`);
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
