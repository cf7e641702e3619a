/**
 * The command line of `kubectl mcs` (kubectl-mcs): subcommands, flags and checks. Pure: argv
 * in, options out; `--help` on the plugin and on each subcommand.
 */
import { parseArgs } from 'node:util';
import { type OptionValues, UsageError } from '../lib/cli.ts';
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

/** A person waits for the answer: a cluster that does not answer is reported after 5 s. */
const REQUEST_TIMEOUT: RequestTimeoutRule = { default: '5s' };

const MEMBER_FLAGS = `Hub and members (as the syncer's flags):
${HUB_FLAGS_USAGE}
${MEMBER_FLAGS_USAGE}
${requestTimeoutUsage(REQUEST_TIMEOUT)}
  -n, --namespace NS           namespace of the MultiClusterService (default: default)`;

/** `kubectl mcs --help`. */
export const PLUGIN_USAGE = `Usage: kubectl mcs <command> [options]

Tells why a MultiClusterService (networking.karmada.io/v1alpha1) does or does not work: reads
the hub and every provider and consumer cluster the way mcs-bridge's syncer does, and says
what is wrong and what to check next. It only reads (and, with --probe-from, runs curl in a pod).

Commands:
  diagnose NAME   one MultiClusterService: a row per cluster and role, the syncer, the problems
  get             every MultiClusterService with its endpoint counts per cluster

Run 'kubectl mcs <command> --help' for a command's options.
`;

/** `kubectl mcs diagnose --help`. */
export const DIAGNOSE_USAGE = `Usage: kubectl mcs diagnose NAME [options]

Reads the MultiClusterService NAME and its Service on the hub and, in every provider and
consumer cluster, the Service, the EndpointSlices, the kube-dns Service and the cluster's own pod
and Service CIDRs; reads the syncer's Lease (and /readyz with --syncer-url); runs the syncer's
own planner on what it read; prints a row per cluster and role, then one line per problem with
what to check next.

${MEMBER_FLAGS}

Syncer:
  --syncer-lease NS/NAME       the syncer's leader-election Lease on the hub (default mcs-system/mcs-bridge-syncer)
  --syncer-url URL             the syncer's health port, e.g. http://127.0.0.1:8081 (reads URL/readyz)

Data path:
  --probe-from CLUSTER/[NAMESPACE/]KIND/NAME
                               from this pod (KIND pod or deploy; namespace default: the MCS's), run
                               curl to connect to every remote endpoint, e.g. member2/deploy/curl
  --probe-timeout DURATION     bound on each connect (default 2s)

Output:
  -o, --output FORMAT          table (default) or json
  -h, --help                   show this help

Exit status: 0 nothing is wrong; 1 problems found (listed); 2 bad usage; 3 could not read what
the diagnosis needs (the MultiClusterService, a cluster that does not answer or refuses us):
then one line on stderr says what, and nothing is printed on stdout.
`;

/** `kubectl mcs get --help`. */
export const GET_USAGE = `Usage: kubectl mcs get [options]

Lists MultiClusterServices with, for every provider, its ready/total endpoints and, for every
consumer, the endpoints its copies carry (one list of EndpointSlices per member).

${MEMBER_FLAGS}
  -A, --all-namespaces         every namespace

Output:
  -o, --output FORMAT          table (default) or json
  -h, --help                   show this help

Exit status: 0 listed; 2 bad usage; 3 could not read a cluster (one line on stderr).
`;

/** Where the members come from, how to reach the hub, and what to show. */
export interface ConnectionOptions extends ConnectionFlags {
  namespace: string;
  output: 'table' | 'json';
}

/** The pod --probe-from names. */
export interface ProbeTarget {
  cluster: string;
  namespace?: string;
  kind: 'pod' | 'deploy';
  name: string;
}

/** What `kubectl mcs` was asked to do; undefined fields mean "after --help, nothing". */
export type PluginCommand =
  | { command: 'help'; usage: string }
  | ({
      command: 'diagnose';
      name: string;
      syncerLease: { namespace: string; name: string };
      syncerUrl?: string;
      probeFrom?: ProbeTarget;
      probeTimeoutMs: number;
    } & ConnectionOptions)
  | ({ command: 'get'; allNamespaces: boolean } & ConnectionOptions);

const CONNECTION = {
  ...CONNECTION_OPTIONS,
  namespace: { type: 'string', short: 'n' },
  output: { type: 'string', short: 'o' },
  help: { type: 'boolean', short: 'h' },
} as const;

const DIAGNOSE = {
  ...CONNECTION,
  'syncer-lease': { type: 'string' },
  'syncer-url': { type: 'string' },
  'probe-from': { type: 'string' },
  'probe-timeout': { type: 'string' },
} as const;

const GET = { ...CONNECTION, 'all-namespaces': { type: 'boolean', short: 'A' } } as const;

/** Parses `kubectl mcs` argv (what follows `kubectl mcs`). Throws {@link UsageError} naming the bad input. */
export function parsePluginArgs(argv: string[]): PluginCommand {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help')
    return { command: 'help', usage: PLUGIN_USAGE };
  if (command === 'diagnose') return parseDiagnose(rest);
  if (command === 'get') return parseGet(rest);
  throw new UsageError(`unknown command '${command}': use diagnose or get`);
}

function parse<O extends typeof DIAGNOSE | typeof GET>(options: O, argv: string[]) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function duration(text: string | undefined, fallback: string, flag: string): number {
  try {
    const ms = parseDuration(text ?? fallback, flag);
    if (ms <= 0) throw new Error(`${flag} must be longer than 0`);
    return ms;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function connection(v: OptionValues<typeof CONNECTION>): ConnectionOptions {
  const flags = parseConnectionFlags(v, REQUEST_TIMEOUT);
  const output = v.output ?? 'table';
  if (output !== 'table' && output !== 'json')
    throw new UsageError(`--output: '${output}' is not one of table, json`);
  const namespace = v.namespace ?? 'default';
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63)
    throw new UsageError(`--namespace: '${namespace}' is not a namespace name`);
  return { ...flags, namespace, output };
}

function parseDiagnose(argv: string[]): PluginCommand {
  const { values: v, positionals } = parse(DIAGNOSE, argv);
  if (v.help) return { command: 'help', usage: DIAGNOSE_USAGE };
  const [name, ...extra] = positionals;
  if (!name) throw new UsageError('diagnose needs the name of a MultiClusterService');
  if (extra.length > 0) throw new UsageError(`diagnose takes one name, not also '${extra.join(' ')}'`);
  const lease = v['syncer-lease'] ?? 'mcs-system/mcs-bridge-syncer';
  const [leaseNs, leaseName, ...more] = lease.split('/');
  if (!leaseNs || !leaseName || more.length > 0)
    throw new UsageError(`--syncer-lease: '${lease}' is not NAMESPACE/NAME`);
  const url = v['syncer-url'];
  if (url !== undefined && !/^https?:\/\/[^/]+/.test(url))
    throw new UsageError(`--syncer-url: '${url}' is not an http(s) URL`);
  return {
    command: 'diagnose',
    name,
    ...connection(v),
    syncerLease: { namespace: leaseNs, name: leaseName },
    syncerUrl: url?.replace(/\/+$/, ''),
    probeFrom: v['probe-from'] === undefined ? undefined : parseProbeTarget(v['probe-from']),
    probeTimeoutMs: duration(v['probe-timeout'], '2s', '--probe-timeout'),
  };
}

function parseGet(argv: string[]): PluginCommand {
  const { values: v, positionals } = parse(GET, argv);
  if (v.help) return { command: 'help', usage: GET_USAGE };
  if (positionals.length > 0) throw new UsageError(`get takes no names, not '${positionals.join(' ')}'`);
  return { command: 'get', ...connection(v), allNamespaces: v['all-namespaces'] ?? false };
}

/** Parses `CLUSTER/[NAMESPACE/]KIND/NAME`, KIND one of pod, po, deploy, deployment. */
export function parseProbeTarget(text: string): ProbeTarget {
  const parts = text.split('/');
  const bad = () =>
    new UsageError(`--probe-from: '${text}' is not CLUSTER/[NAMESPACE/]KIND/NAME, e.g. member2/deploy/curl`);
  if (parts.length !== 3 && parts.length !== 4) throw bad();
  const [cluster, namespace, kind, name] =
    parts.length === 3 ? [parts[0], undefined, parts[1], parts[2]] : parts;
  if (!cluster || !kind || !name || namespace === '') throw bad();
  const k = {
    pod: 'pod',
    pods: 'pod',
    po: 'pod',
    deploy: 'deploy',
    deployment: 'deploy',
    deployments: 'deploy',
  }[kind] as 'pod' | 'deploy' | undefined;
  if (!k) throw new UsageError(`--probe-from: kind '${kind}' is not pod or deploy`);
  return { cluster, namespace, kind: k, name };
}
