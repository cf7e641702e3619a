/**
 * The command line of mcs-bridge-webhook, parsed into checked options.
 */
import type { ParseArgsConfig } from 'node:util';
import { type CommandSpec, parseCommandLine, UsageError } from '../lib/cli.ts';
import {
  parseSelfManagedTls,
  SELF_MANAGED_FLAGS,
  SELF_MANAGED_USAGE,
  type SelfManagedTlsOptions,
} from './tls/self-managed-options.ts';

/** Checked options of mcs-bridge-webhook. */
export interface WebhookOptions {
  port: number;
  bindAddress: string;
  healthPort: number;
  tlsCertFile: string;
  tlsKeyFile: string;
  kubeconfig?: string;
  inCluster: boolean;
  memberKubeconfig?: string;
  logLevel: string;
  /** Set when the webhook keeps its own certificate in a Secret (--self-managed-tls). */
  selfManagedTls?: SelfManagedTlsOptions;
}

/** The usage text printed by --help. */
export const USAGE = `Usage: mcs-bridge-webhook --tls-cert-file FILE --tls-key-file FILE [options]

Validates and defaults MultiClusterService objects (networking.karmada.io/v1alpha1) as an
admission webhook: POST /validate-multiclusterservice and POST /mutate-multiclusterservice
over HTTPS; /healthz, /readyz and /metrics over plain HTTP on the health port.
The certificate files are read again when they change; no restart is needed.

Options:
      --port N                 HTTPS port for the admission routes (default 8443)
      --bind-address ADDR      address both servers listen on (default 0.0.0.0)
      --health-port N          plain-HTTP port for /healthz, /readyz, /metrics (default 8080)
      --tls-cert-file FILE     PEM serving certificate (with its chain)
      --tls-key-file FILE      PEM private key of that certificate
      --kubeconfig FILE        hub kubeconfig: enables the warnings that read the API
                               (no Service of the same name, unknown cluster)
      --in-cluster             same, with the pod's service account
      --member-kubeconfig FILE member clusters are the contexts of FILE (default: Karmada
                               Cluster objects on the hub)
      --log-level LEVEL        trace, debug, info, warn or error (default info)
  -h, --help                   show this help
${SELF_MANAGED_USAGE}`;

const SPEC = {
  name: 'mcs-bridge-webhook',
  usage: USAGE,
  options: {
    port: { type: 'string' },
    'bind-address': { type: 'string' },
    'health-port': { type: 'string' },
    'tls-cert-file': { type: 'string' },
    'tls-key-file': { type: 'string' },
    kubeconfig: { type: 'string' },
    'in-cluster': { type: 'boolean' },
    'member-kubeconfig': { type: 'string' },
    'log-level': { type: 'string' },
    ...SELF_MANAGED_FLAGS,
  },
} as const satisfies CommandSpec<NonNullable<ParseArgsConfig['options']>>;

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];

function portOption(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new UsageError(`--${name} must be a port number between 1 and 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

/** Parses argv; undefined after --help. Throws UsageError naming the bad option. */
export function parseWebhookOptions(argv: string[]): WebhookOptions | undefined {
  const values = parseCommandLine(SPEC, argv);
  if (!values) return undefined;
  const tlsCertFile = values['tls-cert-file'];
  const tlsKeyFile = values['tls-key-file'];
  if (!tlsCertFile || !tlsKeyFile) throw new UsageError('--tls-cert-file and --tls-key-file are required');
  if (values.kubeconfig && values['in-cluster']) {
    throw new UsageError('--kubeconfig and --in-cluster are exclusive: choose one way to reach the hub');
  }
  if (values['member-kubeconfig'] && !values.kubeconfig && !values['in-cluster']) {
    throw new UsageError('--member-kubeconfig needs --kubeconfig or --in-cluster');
  }
  const logLevel = values['log-level'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new UsageError(
      `--log-level must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`,
    );
  }
  const port = portOption('port', values.port, 8443);
  const healthPort = portOption('health-port', values['health-port'], 8080);
  if (port === healthPort) throw new UsageError(`--port and --health-port are both ${port}`);
  const selfManagedTls = parseSelfManagedTls(values, {
    kubeconfig: values.kubeconfig,
    inCluster: values['in-cluster'],
  });
  return {
    port,
    bindAddress: values['bind-address'] ?? '0.0.0.0',
    healthPort,
    tlsCertFile,
    tlsKeyFile,
    ...(values.kubeconfig ? { kubeconfig: values.kubeconfig } : {}),
    inCluster: values['in-cluster'] ?? false,
    ...(values['member-kubeconfig'] ? { memberKubeconfig: values['member-kubeconfig'] } : {}),
    logLevel,
    ...(selfManagedTls ? { selfManagedTls } : {}),
  };
}
