/**
 * The syncer's command line: flags, defaults and checks. Pure: argv in, config out.
 */

import { type OptionValues, parseCommandLine, UsageError } from '../lib/cli.ts';
import {
  CONNECTION_OPTIONS,
  type ConnectionFlags,
  HUB_FLAGS_USAGE,
  MEMBER_FLAGS_USAGE,
  parseConnectionFlags,
  type RequestTimeoutRule,
  requestTimeoutUsage,
} from '../lib/connection-flags.ts';
import { parseDuration } from '../lib/duration.ts';

/** The syncer's --request-timeout: as long as the API server itself waits, and at least 1s. */
const REQUEST_TIMEOUT: RequestTimeoutRule = {
  default: '30s',
  why: 'the longest the API server waits',
  minMs: 1000,
};

/** Usage text of `mcs-bridge-syncer --help`. */
export const USAGE = `Usage: mcs-bridge-syncer [options]

Carries out MultiClusterService objects (networking.karmada.io/v1alpha1) of type
CrossCluster: puts the hub's Service into every provider and consumer cluster, and copies
the EndpointSlices of that Service from each provider into every other consumer, so that
the native name (nginx.default) reaches pods in other clusters.

Hub:
${HUB_FLAGS_USAGE}

Member clusters:
${MEMBER_FLAGS_USAGE}
  --unready-grace DURATION     after a provider has been unready this long, mark its dispatched
                               endpoints not ready until it returns (default: off: keep them as they are)
  --cluster-health-interval D  how often member clusters are probed (default 10s)

Beside Karmada's own MultiClusterService controllers (its MultiClusterService feature gate):
  an MCS for which Karmada's Works or copies exist is left to Karmada (condition
  mcs-bridge.io/StandingDown); mcs-bridge writes nothing Karmada holds for it.
  --karmada-takeover           once Karmada's gate is off, take such MCSs over: probe that Karmada's
                               MultiClusterService controller no longer answers, rewrite its copies
                               in place as mcs-bridge's, then delete its Works, the Service's
                               ResourceBinding and its finalizer (needs the chart's karmada.takeOver RBAC)
  --karmada-probe-timeout D    how long Karmada's controller gets to answer the probe (default 30s)

Kubernetes MCS API (ServiceExport, ServiceImport: multicluster.x-k8s.io/v1beta1):
  --mcs-api on|off             serve members' ServiceExports with ServiceImports in every member
                               (default on; a member without the CRDs of charts/mcs-bridge/member-crds
                               gets nothing of it, and its MultiClusterServices are served as before)

Operation:
  --workers N                  MultiClusterServices reconciled at once (default 16)
  --slow-member-wait D         how long a reconcile waits for one member's writes before going on
                               without them; they finish in the background (default 1s)
  --resync-period DURATION     reconcile everything again this often without an event (default 10m, 0 = never)
${requestTimeoutUsage(REQUEST_TIMEOUT)}
  --leader-elect               elect a leader through a Lease on the hub (on in the Helm chart)
  --leader-election-namespace NS   namespace of the Lease (default: $POD_NAMESPACE or mcs-system)
  --leader-election-id NAME    name of the Lease (default mcs-bridge-syncer)
  --lease-duration D, --renew-deadline D, --retry-period D   (defaults 15s, 10s, 2s)
  --metrics-port PORT          plain HTTP for /metrics, /healthz, /readyz (default 8081; 0 = off)
  --metrics-bind-address ADDR  (default 0.0.0.0)
  --log-level LEVEL            fatal, error, warn, info, debug, trace (default info)
  -h, --help                   show this help
`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  'unready-grace': { type: 'string' },
  'cluster-health-interval': { type: 'string' },
  workers: { type: 'string' },
  'slow-member-wait': { type: 'string' },
  'resync-period': { type: 'string' },
  'leader-elect': { type: 'boolean' },
  'leader-election-namespace': { type: 'string' },
  'leader-election-id': { type: 'string' },
  'lease-duration': { type: 'string' },
  'renew-deadline': { type: 'string' },
  'retry-period': { type: 'string' },
  'metrics-port': { type: 'string' },
  'metrics-bind-address': { type: 'string' },
  'log-level': { type: 'string' },
  'karmada-takeover': { type: 'boolean' },
  'karmada-probe-timeout': { type: 'string' },
  'mcs-api': { type: 'string' },
} as const;

/** The syncer's configuration: how to reach the clusters (shared with `kubectl mcs`), and the rest. */
export interface SyncerConfig extends ConnectionFlags {
  unreadyGraceMs?: number;
  healthIntervalMs: number;
  workers: number;
  slowMemberWaitMs: number;
  resyncMs: number;
  leaderElect: boolean;
  leaseNamespace: string;
  leaseName: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  metricsPort: number;
  metricsBindAddress: string;
  logLevel: string;
  /** `--karmada-takeover`. */
  karmadaTakeover: boolean;
  karmadaProbeTimeoutMs: number;
  /** `--mcs-api`: whether members' ServiceExports are served. */
  mcsApi: boolean;
}

function onOff(flag: string, text: string): boolean {
  if (text === 'on') return true;
  if (text === 'off') return false;
  throw new UsageError(`--${flag}: '${text}' is not one of on, off`);
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];

/** Parses argv; undefined after --help. Throws {@link UsageError} naming the bad flag. */
export function parseSyncerArgs(argv: string[], env: NodeJS.ProcessEnv = {}): SyncerConfig | undefined {
  const v: OptionValues<typeof OPTIONS> | undefined = parseCommandLine(
    { name: 'mcs-bridge-syncer', usage: USAGE, options: OPTIONS },
    argv,
  );
  if (!v) return undefined;
  const duration = (flag: keyof typeof OPTIONS, fallback: string) => {
    try {
      return parseDuration((v[flag] as string | undefined) ?? fallback, `--${flag}`);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  };
  const int = (flag: keyof typeof OPTIONS, fallback: number, min: number, max: number) => {
    const text = v[flag] as string | undefined;
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${flag}: '${text}' is not an integer from ${min} to ${max}`);
    return n;
  };
  const connection = parseConnectionFlags(v, REQUEST_TIMEOUT);
  const level = v['log-level'] ?? 'info';
  if (!LEVELS.includes(level))
    throw new UsageError(`--log-level: '${level}' is not one of ${LEVELS.join(', ')}`);
  const config: SyncerConfig = {
    ...connection,
    unreadyGraceMs: v['unready-grace'] === undefined ? undefined : duration('unready-grace', '0s'),
    healthIntervalMs: duration('cluster-health-interval', '10s'),
    workers: int('workers', 16, 1, 1000),
    slowMemberWaitMs: duration('slow-member-wait', '1s'),
    resyncMs: duration('resync-period', '10m'),
    leaderElect: v['leader-elect'] ?? false,
    leaseNamespace: v['leader-election-namespace'] ?? env.POD_NAMESPACE ?? 'mcs-system',
    leaseName: v['leader-election-id'] ?? 'mcs-bridge-syncer',
    leaseDurationMs: duration('lease-duration', '15s'),
    renewDeadlineMs: duration('renew-deadline', '10s'),
    retryPeriodMs: duration('retry-period', '2s'),
    metricsPort: int('metrics-port', 8081, 0, 65535),
    metricsBindAddress: v['metrics-bind-address'] ?? '0.0.0.0',
    logLevel: level,
    karmadaTakeover: v['karmada-takeover'] ?? false,
    karmadaProbeTimeoutMs: duration('karmada-probe-timeout', '30s'),
    mcsApi: onOff('mcs-api', v['mcs-api'] ?? 'on'),
  };
  if (config.healthIntervalMs < 100) throw new UsageError('--cluster-health-interval must be at least 100ms');
  checkLeaderTimings(config);
  return config;
}

/**
 * How much shorter than --lease-duration --renew-deadline must be. A leader stops writing at its
 * renew deadline; a standby may take over one lease duration after it last saw the Lease
 * change. The margin covers what separates the two: the clocks of two replicas running at
 * slightly different rates, and a write sent just before the deadline reaching its API server.
 */
export const LEADER_CLOCK_SKEW_MARGIN_MS = 1_000;

/** client-go's leaderelection.JitterFactor: the renew deadline must leave room for retries. */
const JITTER_FACTOR = 1.2;

/** Checks the leader election invariant (docs/architecture.md § Leader election). */
function checkLeaderTimings(c: SyncerConfig): void {
  const s = (ms: number) => `${ms / 1000}s`;
  if (c.renewDeadlineMs + LEADER_CLOCK_SKEW_MARGIN_MS > c.leaseDurationMs) {
    throw new UsageError(
      `--renew-deadline (${s(c.renewDeadlineMs)}) must be shorter than --lease-duration (${s(c.leaseDurationMs)}) by at least ${s(LEADER_CLOCK_SKEW_MARGIN_MS)}: a leader must have stopped writing before a standby may take over`,
    );
  }
  if (c.retryPeriodMs * JITTER_FACTOR >= c.renewDeadlineMs) {
    throw new UsageError(
      `--retry-period (${s(c.retryPeriodMs)}) must be shorter than --renew-deadline (${s(c.renewDeadlineMs)}) / ${JITTER_FACTOR}, so a leader retries its renewal before the deadline`,
    );
  }
}
