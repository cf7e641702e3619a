/**
 * Command lines and files of Karmada's control plane in a Karmada sandbox. Pure: each
 * function maps the layout (and the sandbox's Karmada options) to an argv or a path, so the
 * flags can be read and tested in one place. The programs are Karmada v1.18.2's own, built
 * unmodified from its Go module (test/sandbox/build.sh).
 */
import path from 'node:path';
import { type KubernetesObject, loadAllYaml } from '@kubernetes/client-node';
import { componentKubeconfig, pkiFiles } from './commands.ts';
import type { KarmadaComponent, KarmadaOptions, SandboxLayout } from './layout.ts';

/** Karmada's namespace for its own objects, and the one its Push-mode Clusters' Secrets live in. */
export const KARMADA_SYSTEM = 'karmada-system';
export const KARMADA_CLUSTER = 'karmada-cluster';

/** The Service and APIService through which the hub's aggregator reaches the aggregated apiserver. */
export const AGGREGATED_SERVICE = 'karmada-aggregated-apiserver';

/**
 * Controllers of karmada-controller-manager that carry a Deployment with a PropagationPolicy
 * to its clusters and report back: cluster (execution spaces, Cluster objects' lifecycle),
 * clusterStatus (Ready), binding and execution (ResourceBinding → Work → member object),
 * workStatus and bindingStatus (the member's status back onto the template); and, as a default
 * install runs them, the three that bear on Services and EndpointSlices without a gate:
 * serviceExport, endpointSlice (it takes its finalizer off the EndpointSlice reports of Pull
 * members' agents) and serviceImport. Karmada's `namespace` controller is left out: it would
 * copy every hub namespace into every member, and the suites make their namespaces in each
 * cluster themselves.
 */
export const KARMADA_CONTROLLERS = [
  'cluster',
  'clusterStatus',
  'binding',
  'execution',
  'workStatus',
  'bindingStatus',
  'serviceExport',
  'endpointSlice',
  'serviceImport',
];

/** Karmada's own MultiClusterService path, which runs only with its feature gate on. */
export const KARMADA_MCS_CONTROLLERS = [
  'multiclusterservice',
  'endpointsliceCollect',
  'endpointsliceDispatch',
];

/** Where a Karmada sandbox keeps its extra key material (beside the apiservers' in pki/). */
export function karmadaPkiFiles(layout: SandboxLayout) {
  const p = (f: string) => path.join(layout.pkiDir, f);
  return {
    /** The client certificate the hub's aggregator presents to the aggregated apiserver. */
    proxyClientCert: p('front-proxy-client.crt'),
    proxyClientKey: p('front-proxy-client.key'),
    /** Folder holding tls.crt/tls.key: the serving certificate of karmada-webhook and of the aggregated apiserver. */
    servingDir: p('karmada'),
    servingCert: p('karmada/tls.crt'),
    servingKey: p('karmada/tls.key'),
  };
}

/** The common name the hub accepts the aggregator's front-proxy client certificate from. */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

/**
 * Extra kube-apiserver flags of the hub in a Karmada sandbox: the request-header
 * authentication an aggregated API server relies on (the hub publishes it in
 * kube-system/extension-apiserver-authentication) and the client certificate the aggregator
 * proxies with. The sandbox CA signs it; only its common name is accepted.
 */
export function hubAggregationFlags(layout: SandboxLayout): string[] {
  const pki = pkiFiles(layout);
  const k = karmadaPkiFiles(layout);
  return [
    `--requestheader-client-ca-file=${pki.caCert}`,
    `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
    '--requestheader-username-headers=X-Remote-User',
    '--requestheader-group-headers=X-Remote-Group',
    '--requestheader-extra-headers-prefix=X-Remote-Extra-',
    `--proxy-client-cert-file=${k.proxyClientCert}`,
    `--proxy-client-key-file=${k.proxyClientKey}`,
  ];
}

/** The argv (without the binary) of one of Karmada's programs. */
export function karmadaCommandLine(
  layout: SandboxLayout,
  component: KarmadaComponent,
  opts: KarmadaOptions,
): string[] {
  const hub = `--kubeconfig=${componentKubeconfig(layout, 'hub')}`;
  const ports = layout.karmada;
  const at = (port: number) => `127.0.0.1:${port}`;
  const k = karmadaPkiFiles(layout);
  const limit = opts.apiRateLimit;
  const hubLimit = limit ? [`--kube-api-qps=${limit.qps}`, `--kube-api-burst=${limit.burst}`] : [];
  switch (component) {
    case 'karmada-aggregated-apiserver':
      return [
        hub,
        `--authentication-kubeconfig=${componentKubeconfig(layout, 'hub')}`,
        `--authorization-kubeconfig=${componentKubeconfig(layout, 'hub')}`,
        // The sandbox's etcd, under a prefix of its own (Karmada's default is /registry).
        `--etcd-servers=http://127.0.0.1:${layout.etcdClientPort}`,
        '--etcd-prefix=/karmada-aggregated-apiserver',
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.aggregatedApiserver}`,
        `--tls-cert-file=${k.servingCert}`,
        `--tls-private-key-file=${k.servingKey}`,
        `--cert-dir=${path.join(layout.dir, 'apiserver-certs', 'karmada-aggregated-apiserver')}`,
        '--v=1',
      ];
    case 'karmada-webhook':
      return [
        hub,
        '--bind-address=127.0.0.1',
        `--secure-port=${ports.webhook}`,
        `--cert-dir=${k.servingDir}`,
        `--health-probe-bind-address=${at(ports.webhookHealth)}`,
        `--metrics-bind-address=${at(ports.webhookMetrics)}`,
        '--v=1',
      ];
    case 'karmada-controller-manager': {
      const controllers = [
        ...KARMADA_CONTROLLERS,
        ...(opts.multiClusterService ? KARMADA_MCS_CONTROLLERS : []),
      ];
      return [
        hub,
        '--leader-elect=false',
        `--controllers=${controllers.join(',')}`,
        ...(opts.multiClusterService ? ['--feature-gates=MultiClusterService=true'] : []),
        // The resource-modeling summaries need node and pod informers in every member: work
        // this sandbox does not need.
        '--enable-cluster-resource-modeling=false',
        ...hubLimit,
        ...(limit ? [`--cluster-api-qps=${limit.qps}`, `--cluster-api-burst=${limit.burst}`] : []),
        `--health-probe-bind-address=${at(ports.controllerManagerHealth)}`,
        `--metrics-bind-address=${at(ports.controllerManagerMetrics)}`,
        '--v=1',
      ];
    }
    case 'karmada-scheduler':
      return [
        hub,
        '--leader-elect=false',
        ...hubLimit,
        `--health-probe-bind-address=${at(ports.schedulerHealth)}`,
        `--metrics-bind-address=${at(ports.schedulerMetrics)}`,
        '--v=1',
      ];
  }
}

/** Files Karmada ships in its module, cached beside its binaries by build.sh. */
export function karmadaFiles(binDir: string) {
  const dir = path.join(binDir, 'karmada-files');
  return {
    crdsDir: path.join(dir, 'crds'),
    webhookConfiguration: path.join(dir, 'webhook-configuration.yaml'),
    aggregatedApiService: path.join(dir, 'karmada-aggregated-apiserver-apiservice.yaml'),
  };
}

/**
 * Karmada's webhook configuration (artifacts/deploy/webhook-configuration.yaml) as this
 * sandbox registers it: the in-cluster Service URL replaced by the loopback port of
 * karmada-webhook, `{{caBundle}}` by the CA that signed its certificate. Everything else,
 * including the MultiClusterService entries, stays as Karmada ships it.
 */
export function karmadaWebhookConfiguration(text: string, layout: SandboxLayout, caPem: string): string {
  const inCluster = 'https://karmada-webhook.karmada-system.svc:443/';
  if (!text.includes(inCluster) || !text.includes('{{caBundle}}')) {
    throw new Error(`Karmada's webhook configuration no longer names ${inCluster} and {{caBundle}}`);
  }
  return text
    .replaceAll(inCluster, `https://127.0.0.1:${layout.karmada.webhook}/`)
    .replaceAll('{{caBundle}}', Buffer.from(caPem).toString('base64'));
}

/**
 * The URL that answers 200 once one of Karmada's programs serves: the aggregated apiserver's
 * and the webhook's own HTTPS readiness (signed by the sandbox CA), the others' health ports.
 */
export function karmadaReadyUrl(layout: SandboxLayout, component: KarmadaComponent): string {
  const p = layout.karmada;
  switch (component) {
    case 'karmada-aggregated-apiserver':
      return `https://127.0.0.1:${p.aggregatedApiserver}/readyz`;
    case 'karmada-webhook':
      return `https://127.0.0.1:${p.webhook}/readyz/`;
    case 'karmada-controller-manager':
      return `http://127.0.0.1:${p.controllerManagerHealth}/healthz`;
    case 'karmada-scheduler':
      return `http://127.0.0.1:${p.schedulerHealth}/healthz`;
  }
}

/**
 * Karmada's APIService and Service for its aggregated apiserver, pointed at the loopback port:
 * with `--enable-aggregator-routing` off (the default) the hub resolves an ExternalName
 * Service to `externalName:<APIService port>`, where Endpoints could not hold 127.0.0.1. The
 * aggregator verifies the server as `<service>.<namespace>.svc` against the caBundle.
 */
export function aggregatedApiObjects(text: string, layout: SandboxLayout, caPem: string): KubernetesObject[] {
  const caBundle = Buffer.from(caPem).toString('base64');
  // The file carries `{{caBundle}}` for Karmada's installer to fill: an unquoted `{{…}}` is a
  // YAML flow mapping used as a key, which client-node 2.x's parser refuses, so fill it first.
  const objects = loadAllYaml(text.replaceAll('{{caBundle}}', caBundle)) as KubernetesObject[];
  return objects.filter(Boolean).map((o) => {
    const copy = JSON.parse(JSON.stringify(o)) as KubernetesObject & { spec: Record<string, unknown> };
    if (copy.kind === 'APIService') {
      copy.spec.caBundle = caBundle;
      copy.spec.service = {
        ...(copy.spec.service as object),
        name: AGGREGATED_SERVICE,
        namespace: KARMADA_SYSTEM,
        port: layout.karmada.aggregatedApiserver,
      };
    } else if (copy.kind === 'Service') {
      copy.spec.externalName = '127.0.0.1';
    } else {
      throw new Error(`unexpected ${copy.kind} in Karmada's aggregated apiserver manifest`);
    }
    return copy;
  });
}
