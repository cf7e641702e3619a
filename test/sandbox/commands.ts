/**
 * Command lines of the sandbox's processes. Pure: each function maps the layout to the
 * argv a component is started with, so the flags can be read and tested in one place.
 */
import path from 'node:path';
import { agentCommandLine } from './karmada-agent.ts';
import { hubAggregationFlags, karmadaCommandLine } from './karmada-commands.ts';
import { egressConfigFile, KUBELET_EGRESS_MEMBERS } from './kubelet-egress.ts';
import {
  type ClusterName,
  type ComponentId,
  KARMADA_HOST,
  type SandboxLayout,
  type SandboxShape,
} from './layout.ts';

/** Files shared by every apiserver (written by pki.ts). */
export function pkiFiles(layout: SandboxLayout) {
  const p = (f: string) => path.join(layout.pkiDir, f);
  return {
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    servingCert: p('apiserver.crt'),
    servingKey: p('apiserver.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
    tokens: p('tokens.csv'),
  };
}

/** The single-context kubeconfig a component of `cluster` uses. */
export function componentKubeconfig(layout: SandboxLayout, cluster: ClusterName): string {
  return path.join(layout.dir, 'kubeconfigs', `${cluster}.kubeconfig`);
}

/** kwok's stage files, which ship inside its module and are cached beside the binary. */
export const KWOK_STAGES = [
  'node/fast/node-initialize.yaml',
  'node/heartbeat-with-lease/node-heartbeat-with-lease.yaml',
  'pod/fast/pod-ready.yaml',
  'pod/fast/pod-complete.yaml',
  'pod/fast/pod-delete.yaml',
];

/** Controllers of a member's kube-controller-manager: what the seed's Deployment needs. */
export const MEMBER_CONTROLLERS = [
  'deployment-controller',
  'replicaset-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'pod-garbage-collector-controller',
  // Removes the not-ready taint the TaintNodesByCondition admission plugin puts on a new node.
  'node-lifecycle-controller',
];

/** Controllers of the hub's (and karmada-host's): no workloads run there, but namespaces must delete. */
export const HUB_CONTROLLERS = [
  'namespace-controller',
  'garbage-collector-controller',
  'serviceaccount-controller',
  'clusterrole-aggregation-controller',
];

/** The argv (without the binary) a sandbox component is started with, in a sandbox of `shape`. */
export function commandLine(
  layout: SandboxLayout,
  id: ComponentId,
  binDir: string,
  shape: SandboxShape = {},
): string[] {
  const pki = pkiFiles(layout);
  switch (id.component) {
    case 'karmada-aggregated-apiserver':
    case 'karmada-webhook':
    case 'karmada-controller-manager':
    case 'karmada-scheduler':
      if (!shape.karmada) throw new Error(`${id.component} runs only in a Karmada sandbox`);
      return karmadaCommandLine(layout, id.component, shape.karmada);
    case 'karmada-agent': {
      const member = need(id);
      if (!shape.karmada) throw new Error(`${id.component} runs only in a Karmada sandbox`);
      if (member !== 'member1' && member !== 'member2')
        throw new Error(`karmada-agent runs beside member1 or member2, not ${member}`);
      return agentCommandLine(layout, member, shape.karmada.multiClusterService);
    }
    case 'etcd':
      // The flags controller-runtime's envtest uses; no fsync, as the data is throwaway.
      return [
        '--name=sandbox',
        `--data-dir=${layout.etcdDataDir}`,
        `--listen-client-urls=http://127.0.0.1:${layout.etcdClientPort}`,
        `--advertise-client-urls=http://127.0.0.1:${layout.etcdClientPort}`,
        `--listen-peer-urls=http://127.0.0.1:${layout.etcdPeerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${layout.etcdPeerPort}`,
        `--initial-cluster=sandbox=http://127.0.0.1:${layout.etcdPeerPort}`,
        '--unsafe-no-fsync',
        '--log-level=warn',
        '--quota-backend-bytes=4294967296',
      ];
    case 'kube-apiserver': {
      const c = layout.clusters[need(id)];
      return [
        `--etcd-servers=http://127.0.0.1:${layout.etcdClientPort}`,
        // One etcd backs all three clusters; the prefix keeps their objects apart.
        `--etcd-prefix=${c.etcdPrefix}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        // The 'kubernetes' Service's endpoint would be 127.0.0.1, which Endpoints validation
        // refuses: the reconciler then logs an error every 10 s and stalls shutdown for 10 s.
        '--endpoint-reconciler-type=none',
        `--secure-port=${c.apiserverPort}`,
        `--tls-cert-file=${pki.servingCert}`,
        `--tls-private-key-file=${pki.servingKey}`,
        `--client-ca-file=${pki.caCert}`,
        '--authorization-mode=RBAC',
        `--token-auth-file=${pki.tokens}`,
        `--service-cluster-ip-range=${c.serviceCIDR}`,
        `--service-account-issuer=https://kubernetes.default.svc.${c.name}`,
        `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`,
        // Pods would otherwise wait for a token volume no kubelet ever mounts.
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        `--cert-dir=${path.join(layout.dir, 'apiserver-certs', c.name)}`,
        ...(KUBELET_EGRESS_MEMBERS.includes(c.name)
          ? [
              // `kubectl exec` reaches the node's kubelet (kwok's, in the data plane) at its
              // InternalIP, through the node network's proxy (kubelet-egress.ts), over TLS
              // checked against the sandbox CA — kubeadm's address order.
              `--egress-selector-config-file=${egressConfigFile(layout, c.name)}`,
              '--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname',
              `--kubelet-certificate-authority=${pki.caCert}`,
            ]
          : []),
        '--v=1',
        // Karmada's Cluster API is an aggregated API server behind the hub.
        ...(c.name === 'hub' && shape.karmada ? hubAggregationFlags(layout) : []),
      ];
    }
    case 'kube-controller-manager': {
      // Karmada runs the token controller against karmada-apiserver, so a ServiceAccount's
      // token Secret (what a kubeconfig for Karmada's control plane is made from) gets filled.
      const karmadaHub = id.cluster === 'hub' && shape.karmada !== undefined;
      const controllers =
        id.cluster === 'hub' || id.cluster === KARMADA_HOST ? HUB_CONTROLLERS : MEMBER_CONTROLLERS;
      return [
        `--kubeconfig=${componentKubeconfig(layout, need(id))}`,
        '--leader-elect=false',
        // 0 = no HTTPS endpoint, so several controller managers never fight over a port.
        '--secure-port=0',
        `--controllers=${[...controllers, ...(karmadaHub ? ['serviceaccount-token-controller'] : [])].join(',')}`,
        ...(karmadaHub ? [`--service-account-private-key-file=${pki.serviceAccountKey}`] : []),
        `--root-ca-file=${pki.caCert}`,
        // The node-lifecycle controller runs only to clear the start-up taint. When a fault
        // test stops an apiserver, kwok's heartbeats stop too; with the default grace the
        // controller would then mark every pod not ready, and nothing re-readies them.
        '--node-monitor-grace-period=1h',
        '--kube-api-qps=200',
        '--kube-api-burst=400',
        '--v=1',
      ];
    }
    case 'kube-scheduler':
      return [
        `--kubeconfig=${componentKubeconfig(layout, need(id))}`,
        '--leader-elect=false',
        '--secure-port=0',
        '--v=1',
      ];
    case 'kwok': {
      const c = layout.clusters[need(id)];
      if (!c.podCIDR || !c.nodeIP || !c.firstPodIP) {
        throw new Error(`cluster ${c.name} runs no kwok: it has no pod CIDR`);
      }
      const prefix = c.podCIDR.split('/')[1];
      return [
        `--kubeconfig=${componentKubeconfig(layout, c.name)}`,
        '--manage-all-nodes=true',
        // kwok hands out IPs counting up from the address written here (and the node's
        // spec.podCIDR would override it, so the node has none).
        `--cidr=${c.firstPodIP}/${prefix}`,
        `--node-ip=${c.nodeIP}`,
        // No kwok HTTP server: it would need a port per member and nothing here reads it.
        '--server-address=',
        ...KWOK_STAGES.map((s) => `--config=${path.join(binDir, 'kwok-stages', s)}`),
      ];
    }
  }
}

function need(id: ComponentId): ClusterName {
  if (!id.cluster) throw new Error(`${id.component} needs a cluster`);
  return id.cluster;
}
