/**
 * member2's kubelet API, so that the guide's `kubectl --context member2 exec deploy/curl --
 * curl -s http://nginx.default` runs for real. kwok serves the kubelet API and maps `exec` to
 * a local command through its Exec configuration (kwok.x-k8s.io/v1alpha1); here:
 *
 * - member2's kwok is restarted inside member2's node namespace (it reaches its API server
 *   through the apiserver bridge) and serves HTTPS at the node's InternalIP, 10.20.0.1:10250,
 *   with a certificate for that address from the sandbox CA;
 * - the API server reaches it there through the egress proxy in the same namespace
 *   (test/sandbox/kubelet-egress.ts): nothing listens outside the namespace, so no local user
 *   can reach kwok's unauthenticated exec;
 * - kwok's Exec for the curl pod sets one variable, the pod's network namespace, and kwok's
 *   PATH holds only a folder of shims (curl, sh, cat…), each running the real program inside
 *   that namespace: the command runs with the pod's IP, routes and resolv.conf.
 *
 * On DataPlane.down the namespace goes, and with it this kwok; the sandbox's own kwok is
 * started again (restoreSandboxKwok).
 */
import { existsSync } from 'node:fs';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { commandLine, pkiFiles } from '../sandbox/commands.ts';
import { waitReady } from '../sandbox/health.ts';
import { kubeletEgressSocket } from '../sandbox/kubelet-egress.ts';
import { isAlive, readPid, startProcess } from '../sandbox/processes.ts';
import type { Sandbox } from '../sandbox/sandbox.ts';
import { runCommand } from '../sandbox/testing.ts';
import { type CertificateFiles, issueCertificate } from './certificates.ts';
import { execIn } from './netns.ts';
import { programArgv, startDataPlaneProcess } from './processes.ts';
import type { DataPlaneTopology } from './topology.ts';

/** The kubelet port, on the node's own address: the kubelet's default, so the Node needs no daemonEndpoints. */
export const KUBELET_PORT = 10250;
/** The commands `kubectl exec` can run in the client pod. */
export const POD_COMMANDS = ['curl', 'sh', 'cat', 'env'] as const;
/** The variable kwok's Exec sets: the network namespace the shims enter. */
const NETNS_VAR = 'MCSB_POD_NETNS';
const KWOK = { component: 'kwok', cluster: 'member2' } as const;

/** The shim every command of {@link POD_COMMANDS} is a link to (pure). */
export function podExecShim(ipPath: string): string {
  return `#!/bin/sh
# kwok runs \`kubectl exec\` commands on this machine; run them inside the pod's network
# namespace instead (its IP, routes and /etc/netns resolv.conf), under the command's own name.
if [ -z "$${NETNS_VAR}" ]; then
  echo "\${0##*/}: this pod has no network namespace in the data plane" >&2
  exit 126
fi
exec ${ipPath} netns exec "$${NETNS_VAR}" /usr/bin/env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "\${0##*/}" "$@"
`;
}

/** kwok's Exec for one pod: every container's commands run locally with the pod's namespace set (pure). */
export function kwokExecConfig(pod: { name: string; namespace: string }, netns: string): string {
  const exec = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'Exec',
    metadata: { name: pod.name, namespace: pod.namespace },
    spec: { execs: [{ local: { envs: [{ name: NETNS_VAR, value: netns }] } }] },
  };
  return `${JSON.stringify(exec, null, 2)}\n`;
}

/** The sandbox's kwok arguments for member2, serving the kubelet API at `address` with this TLS and Exec file. */
export function kwokKubeletArgs(
  base: readonly string[],
  o: { address: string; cert: string; key: string; execConfig: string },
): string[] {
  return [
    ...base.filter((a) => !a.startsWith('--server-address=')),
    `--server-address=${o.address}`,
    `--tls-cert-file=${o.cert}`,
    `--tls-private-key-file=${o.key}`,
    `--config=${o.execConfig}`,
  ];
}

/** Starts member2's kubelet API for the client pod and waits until it answers inside the node namespace. */
export async function startKubelet(
  sb: Sandbox,
  topology: DataPlaneTopology,
  pod: { name: string; namespace: string },
  timeoutMs: number,
): Promise<void> {
  const node = topology.nodes.member2;
  const files = {
    cert: path.join(topology.dir, 'kubelet-member2.crt'),
    key: path.join(topology.dir, 'kubelet-member2.key'),
    execConfig: path.join(topology.dir, 'kwok-exec.json'),
    bin: path.join(topology.dir, 'exec-bin'),
  };
  await kubeletCertificate(sb, node.ip, sb.layout.clusters.member2.nodeName ?? 'member2-node', files);
  await mkdir(files.bin, { recursive: true });
  const ip = (await runCommand('sh', ['-c', 'command -v ip'])).stdout.trim() || '/usr/sbin/ip';
  await writeFile(path.join(files.bin, 'pod-exec'), podExecShim(ip));
  await chmod(path.join(files.bin, 'pod-exec'), 0o755);
  for (const cmd of POD_COMMANDS) await symlink('pod-exec', path.join(files.bin, cmd));
  await writeFile(files.execConfig, kwokExecConfig(pod, topology.clientNetns));

  const address = `${node.ip}:${KUBELET_PORT}`;
  const proxy = await startDataPlaneProcess(
    sb,
    'kubelet-egress-proxy-member2',
    programArgv('kubelet-egress-proxy', [
      `--listen=${kubeletEgressSocket(sb.layout, 'member2')}`,
      `--allow=${address}`,
    ]),
    node.netns,
  );
  await waitReady({
    what: "member2's kubelet egress proxy",
    ...proxy,
    timeoutMs,
    ready: async () => existsSync(kubeletEgressSocket(sb.layout, 'member2')),
  });

  // The sandbox's own kwok gives way to one in the node namespace, under the same name and
  // pid file: the sandbox stays healthy, and `make sandbox-down` stops it like the other.
  await sb.stopComponent(KWOK);
  const args = kwokKubeletArgs(commandLine(sb.layout, KWOK, sb.binDir), { address, ...files });
  const logFile = path.join(sb.layout.logsDir, 'kwok-member2.log');
  const pid = await startProcess({
    name: 'kwok-member2',
    bin: ip,
    args: ['netns', 'exec', node.netns, path.join(sb.binDir, 'kwok'), ...args],
    sandboxDir: sb.layout.dir,
    logFile,
    pidFile: kwokPidFile(sb),
    // Only the shims: a command without one fails instead of running outside the pod.
    env: { PATH: files.bin },
  });
  const ca = pkiFiles(sb.layout).caCert;
  await waitReady({
    what: `member2's kwok serving the kubelet API at ${address} in ${node.netns}`,
    pid,
    logFile,
    timeoutMs,
    ready: async () =>
      (
        await execIn(node.netns, [
          'curl',
          '-fsS',
          '--max-time',
          '2',
          '--cacert',
          ca,
          `https://${address}/healthz`,
        ])
      )
        .trim()
        .startsWith('ok'),
  });
}

/**
 * Starts the sandbox's own kwok for member2 again when the data plane took it away (its
 * namespace is gone), if member2's API server still runs. Safe to call at any time.
 */
export async function restoreSandboxKwok(sb: Sandbox): Promise<void> {
  const pid = await readPid(kwokPidFile(sb));
  if (pid !== undefined && (await isAlive(pid))) return;
  const apiserver = await readPid(path.join(sb.layout.pidsDir, 'kube-apiserver-member2.pid'));
  if (apiserver === undefined || !(await isAlive(apiserver))) return;
  await sb.startComponent(KWOK);
}

function kwokPidFile(sb: Sandbox): string {
  return path.join(sb.layout.pidsDir, 'kwok-member2.pid');
}

/** A serving certificate for the node's address, signed by the sandbox CA. */
function kubeletCertificate(
  sb: Sandbox,
  nodeIP: string,
  nodeName: string,
  files: CertificateFiles,
): Promise<void> {
  return issueCertificate(sb.layout, files, {
    what: "member2's kubelet certificate",
    subject: `/CN=system:node:${nodeName}`,
    extensions: `subjectAltName=IP:${nodeIP},DNS:${nodeName}\nextendedKeyUsage=serverAuth\n`,
  });
}
