/**
 * The webhooks side by side: mcs-bridge's webhook (dist/webhook/main.js) and Karmada's own
 * karmada-webhook (the sandbox's binary, built from Karmada's module), each a process of its own
 * with the same serving certificate, behind the same load generator (autocannon, load.ts): the
 * MultiClusterService validate and mutate routes, at 50 connections and at 1. Rounds interleave
 * the routes, turning the order each round.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeCertificateFiles } from '../../../certs/files.ts';
import { generateCertificates } from '../../../certs/generate.ts';
import { componentKubeconfig } from '../../sandbox/commands.ts';
import { COMPONENT_ENV, SANDBOX_ENV } from '../../sandbox/processes.ts';
import { REPO_ROOT, type Sandbox } from '../../sandbox/sandbox.ts';
import { MUTATE_REVIEW, VALIDATE_REVIEW } from '../admission-reviews.ts';
import { type LoadFigures, measure } from '../load.ts';
import { type RouteSummary, summarize } from '../report.ts';
import { type Answer, checkAnswer, freeLoopbackPort, type ServerProcess, startServer } from '../servers.ts';
import { interleave } from './schedule.ts';

/** The four routes measured. */
export type WebhookRouteId =
  | 'mcs-bridge-validate'
  | 'mcs-bridge-mutate'
  | 'karmada-validate'
  | 'karmada-mutate';

/** Sizes of the webhook phase. */
export interface WebhookSizes {
  connections: number;
  rounds: number;
  warmupSeconds: number;
  durationSeconds: number;
  oneConnectionSeconds: number;
}

/** What the webhook phase measured: per route, the median over the rounds (and the one-connection run). */
export interface WebhookSideBySide {
  sizes: WebhookSizes;
  certificate: string;
  routes: Record<WebhookRouteId, RouteSummary>;
  /** The one-connection run of each route in full (its server CPU too). */
  alone: Record<WebhookRouteId, LoadFigures>;
  valid: boolean;
}

interface Route {
  id: WebhookRouteId;
  url: string;
  body: string;
  server: ServerProcess;
  expect: (a: Answer) => boolean;
}

const mutated = (a: Answer) => a.response?.allowed === true && a.response.patchType === 'JSONPatch';
const allowed = (a: Answer) => a.response?.allowed === true && !a.response.patch;

/** Runs the webhook phase on a sandbox (karmada-webhook reads its hub at start-up). */
export async function webhookSideBySide(
  sb: Sandbox,
  sizes: WebhookSizes,
  log: (s: string) => void,
): Promise<WebhookSideBySide> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mcs-bench-webhooks-'));
  const servers: ServerProcess[] = [];
  const marker = (name: string) => ({ [SANDBOX_ENV]: sb.layout.dir, [COMPONENT_ENV]: name });
  try {
    // One certificate for both (mcs-bridge-certs' default, RSA 2048), valid for 127.0.0.1.
    const bundle = await generateCertificates({
      service: 'webhook',
      namespace: 'bench',
      ips: ['127.0.0.1'],
      now: new Date(),
    });
    await writeCertificateFiles(dir, bundle);
    const [ours, oursHealth, theirs, theirsHealth, theirsMetrics] = [
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
      await freeLoopbackPort(),
    ];
    const oursServer = await startServer({
      name: 'mcs-bridge webhook',
      args: [
        path.join(REPO_ROOT, 'dist/webhook/main.js'),
        `--port=${ours}`,
        `--health-port=${oursHealth}`,
        '--bind-address=127.0.0.1',
        `--tls-cert-file=${path.join(dir, 'tls.crt')}`,
        `--tls-key-file=${path.join(dir, 'tls.key')}`,
      ],
      readyUrl: `http://127.0.0.1:${oursHealth}/readyz`,
      logFile: path.join(sb.layout.logsDir, 'bench-webhook-mcs-bridge.log'),
      env: marker('bench-webhook-mcs-bridge'),
    });
    servers.push(oursServer);
    // Karmada's flags as the sandbox runs it, but its own ports and our certificate (tls.crt and
    // tls.key in --cert-dir are its defaults); no -v: Karmada's default logging.
    const theirsServer = await startServer({
      name: 'karmada-webhook',
      command: path.join(sb.binDir, 'karmada-webhook'),
      args: [
        `--kubeconfig=${componentKubeconfig(sb.layout, 'hub')}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${theirs}`,
        `--cert-dir=${dir}`,
        `--health-probe-bind-address=127.0.0.1:${theirsHealth}`,
        `--metrics-bind-address=127.0.0.1:${theirsMetrics}`,
      ],
      // Its readiness is served on the webhook port itself (as the sandbox probes it).
      readyUrl: `https://127.0.0.1:${theirs}/readyz/`,
      ca: bundle.caCert,
      logFile: path.join(sb.layout.logsDir, 'bench-webhook-karmada.log'),
      env: marker('bench-webhook-karmada'),
    });
    servers.push(theirsServer);

    const routes: Route[] = [
      {
        id: 'mcs-bridge-validate',
        url: `https://127.0.0.1:${ours}/validate-multiclusterservice`,
        body: VALIDATE_REVIEW,
        server: oursServer,
        expect: allowed,
      },
      {
        id: 'karmada-validate',
        url: `https://127.0.0.1:${theirs}/validate-multiclusterservice`,
        body: VALIDATE_REVIEW,
        server: theirsServer,
        expect: allowed,
      },
      {
        id: 'mcs-bridge-mutate',
        url: `https://127.0.0.1:${ours}/mutate-multiclusterservice`,
        body: MUTATE_REVIEW,
        server: oursServer,
        expect: mutated,
      },
      {
        id: 'karmada-mutate',
        url: `https://127.0.0.1:${theirs}/mutate-multiclusterservice`,
        body: MUTATE_REVIEW,
        server: theirsServer,
        expect: mutated,
      },
    ];
    // A benchmark of wrong answers measures nothing: each route must answer as it should.
    for (const r of routes) await checkAnswer(r.url, r.body, bundle.caCert, r.expect);

    const rounds = new Map<WebhookRouteId, LoadFigures[]>(routes.map((r) => [r.id, []]));
    for (const turn of interleave(routes, sizes.rounds)) {
      const r = turn.contender;
      const figures = await measure({
        url: r.url,
        body: r.body,
        serverPid: r.server.pid,
        connections: sizes.connections,
        warmupSeconds: sizes.warmupSeconds,
        durationSeconds: sizes.durationSeconds,
      });
      rounds.get(r.id)?.push(figures);
      // Each round's own figures, so a round the machine disturbed shows in the log.
      log(
        `    webhook round ${turn.round + 1}/${sizes.rounds}: ${r.id}, ${sizes.connections} connections: ${figures.requestsPerSecond.toFixed(0)} req/s, p99 ${figures.latencyMs.p99.toFixed(1)} ms, max ${figures.latencyMs.max.toFixed(0)} ms`,
      );
    }
    const summaries = {} as Record<WebhookRouteId, RouteSummary>;
    const aloneFigures = {} as Record<WebhookRouteId, LoadFigures>;
    for (const r of routes) {
      log(`    webhook: ${r.id}, 1 connection`);
      const alone = await measure({
        url: r.url,
        body: r.body,
        serverPid: r.server.pid,
        connections: 1,
        warmupSeconds: Math.min(1, sizes.warmupSeconds),
        durationSeconds: sizes.oneConnectionSeconds,
      });
      summaries[r.id] = summarize(rounds.get(r.id) ?? [], alone);
      aloneFigures[r.id] = alone;
    }
    return {
      sizes,
      certificate: 'RSA 2048, signed by our CA (certs/), the same file for both servers',
      routes: summaries,
      alone: aloneFigures,
      valid: routes.every((r) => summaries[r.id].failures === 0),
    };
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
