/**
 * The flags that say how to reach the hub and the member clusters, which the syncer and
 * `kubectl mcs` share (the plugin reads the clusters the way the syncer does): one option
 * table, one parser and one help text. A program gives only its default of --request-timeout
 * and its floor. Pure.
 */
import { type OptionValues, UsageError } from './cli.ts';
import { formatDuration, parseDuration } from './duration.ts';

/** The options of node:util's parseArgs; a program spreads them into its own table. */
export const CONNECTION_OPTIONS = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  'cluster-source': { type: 'string' },
  'member-kubeconfig': { type: 'string' },
  'member-context': { type: 'string', multiple: true },
  'request-timeout': { type: 'string' },
} as const;

/** How to reach the hub and where the member clusters come from. */
export interface ConnectionFlags {
  kubeconfig?: string;
  context?: string;
  /** Undefined: Karmada's Cluster objects, when the hub serves them. */
  clusterSource?: 'karmada' | 'kubeconfig';
  memberKubeconfig?: string;
  memberContexts: string[];
  /** `--request-timeout`: the bound on every API request (watches have their own). */
  requestTimeoutMs: number;
}

/** A program's --request-timeout: its default, why that one, and the shortest it takes. */
export interface RequestTimeoutRule {
  /** As the flag takes it, e.g. `30s`. */
  readonly default: string;
  /** Said after the default in the help, e.g. `the longest the API server waits`. */
  readonly why?: string;
  /** Shortest accepted, in ms; without it, anything longer than 0. */
  readonly minMs?: number;
}

/** Help lines of the hub's flags. */
export const HUB_FLAGS_USAGE = `  --kubeconfig FILE            kubeconfig of the hub (default: $KUBECONFIG, ~/.kube/config or in-cluster)
  --context NAME               context of --kubeconfig to use (default: its current context)`;

/** Help lines of the flags that say where the member clusters come from. */
export const MEMBER_FLAGS_USAGE = `  --cluster-source SOURCE      karmada: Karmada's Cluster objects on the hub;
                               kubeconfig: every context of --member-kubeconfig
                               (default: kubeconfig when --member-kubeconfig is given, else karmada)
  --member-kubeconfig FILE     kubeconfig whose contexts are the member clusters
  --member-context NAME        use only this context of --member-kubeconfig (repeatable)`;

/** The help line of --request-timeout with a program's default. */
export function requestTimeoutUsage(rule: RequestTimeoutRule): string {
  return `  --request-timeout DURATION   bound on every API request to the hub and the members, from resolving
                               its credentials to the end of its answer (default ${rule.default}${rule.why ? `, ${rule.why}` : ''})`;
}

/** Reads the connection flags out of parsed argv. Throws {@link UsageError} naming the bad flag. */
export function parseConnectionFlags(
  v: OptionValues<typeof CONNECTION_OPTIONS>,
  timeout: RequestTimeoutRule,
): ConnectionFlags {
  const source = v['cluster-source'];
  if (source !== undefined && source !== 'karmada' && source !== 'kubeconfig')
    throw new UsageError(`--cluster-source: '${source}' is not one of karmada, kubeconfig`);
  const memberKubeconfig = v['member-kubeconfig'];
  if (source === 'kubeconfig' && !memberKubeconfig)
    throw new UsageError('--cluster-source=kubeconfig needs --member-kubeconfig FILE');
  let requestTimeoutMs: number;
  try {
    requestTimeoutMs = parseDuration(v['request-timeout'] ?? timeout.default, '--request-timeout');
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (timeout.minMs === undefined && requestTimeoutMs <= 0)
    throw new UsageError('--request-timeout must be longer than 0');
  if (timeout.minMs !== undefined && requestTimeoutMs < timeout.minMs)
    throw new UsageError(`--request-timeout must be at least ${formatDuration(timeout.minMs)}`);
  return {
    kubeconfig: v.kubeconfig,
    context: v.context,
    clusterSource: source ?? (memberKubeconfig ? 'kubeconfig' : undefined),
    memberKubeconfig,
    memberContexts: v['member-context'] ?? [],
    requestTimeoutMs,
  };
}
