/**
 * One of the chart's rendered containers as a `podman run` command line, as the kubelet would
 * run it: the pod's and the container's securityContext (user and group, fsGroup, read-only
 * root filesystem, capabilities, privilege escalation, seccomp), command and args, env (with
 * the downward API's pod name and namespace), volume mounts (an emptyDir of medium Memory is a
 * tmpfs, a Secret a read-only folder the caller filled), the ServiceAccount token where the
 * kubelet mounts it, and the resource limits. The network is the host's: the container reaches
 * the sandbox's API servers on loopback, and its ports come from the sandbox's free range.
 * Pure: everything it reads from disk or the API is passed in.
 */
import type {
  V1Container,
  V1Deployment,
  V1PodSecurityContext,
  V1SecurityContext,
} from '@kubernetes/client-node';

/** Where the kubelet mounts the ServiceAccount's token, CA and namespace. */
export const SERVICE_ACCOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

/** What the pod gets from its node and API server, which the rendered Deployment cannot say. */
export interface PodRuntime {
  /** The container's name in podman (unique on the machine). */
  containerName: string;
  /** The image to run (default: the one the container names). */
  image?: string;
  podName: string;
  namespace: string;
  /** The hub API server, as the kubelet tells it to pods (KUBERNETES_SERVICE_HOST/PORT). */
  apiServer: { host: string; port: string };
  /** A folder holding token, ca.crt and namespace, mounted when the pod automounts its token. */
  serviceAccountDir?: string;
  /** Volume name → the folder holding a Secret volume's files, as the kubelet lays them out. */
  secretDirs: ReadonlyMap<string, string>;
  /** Volume name → the node's folder of an emptyDir on disk (no medium). */
  diskDirs?: ReadonlyMap<string, string>;
  /** Labels and environment the test adds, to find the container again. */
  labels?: Record<string, string>;
  extraEnv?: Record<string, string>;
}

/** A Kubernetes quantity in bytes (`256Mi`, `1G`, `512`). */
export function bytesOf(quantity: string, where: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|K|M|G|T)?$/.exec(quantity);
  if (!m) throw new Error(`${where}: "${quantity}" is not a memory quantity this harness reads`);
  const units: Record<string, number> = {
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    k: 1e3,
    K: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
  };
  return Math.round(Number(m[1]) * (units[m[2] ?? ''] ?? 1));
}

/** A Kubernetes CPU quantity in cores (`500m` → 0.5, `1` → 1). */
export function coresOf(quantity: string, where: string): number {
  const m = /^(\d+(?:\.\d+)?)(m)?$/.exec(quantity);
  if (!m) throw new Error(`${where}: "${quantity}" is not a CPU quantity this harness reads`);
  return Number(m[1]) / (m[2] ? 1000 : 1);
}

/** podman flags for the pod's and the container's securityContext (the container's win). */
export function securityFlags(
  pod: V1PodSecurityContext | undefined,
  container: V1SecurityContext | undefined,
  where: string,
): string[] {
  const user = container?.runAsUser ?? pod?.runAsUser;
  const group = container?.runAsGroup ?? pod?.runAsGroup;
  const nonRoot = container?.runAsNonRoot ?? pod?.runAsNonRoot;
  if (nonRoot && user === 0) throw new Error(`${where}: runAsNonRoot with runAsUser 0 would not start`);
  if (nonRoot && user === undefined)
    throw new Error(`${where}: runAsNonRoot without runAsUser: the kubelet would check the image's user`);
  const flags: string[] = [];
  if (user !== undefined) flags.push(`--user=${user}:${group ?? 0}`);
  if (pod?.fsGroup !== undefined) flags.push(`--group-add=${pod.fsGroup}`);
  for (const g of pod?.supplementalGroups ?? []) flags.push(`--group-add=${g}`);
  if (container?.readOnlyRootFilesystem) {
    // podman would otherwise mount tmpfs on /tmp, /var/tmp and /run; the kubelet mounts none.
    flags.push('--read-only', '--read-only-tmpfs=false');
  }
  for (const c of container?.capabilities?.drop ?? []) flags.push(`--cap-drop=${c.toLowerCase()}`);
  for (const c of container?.capabilities?.add ?? []) flags.push(`--cap-add=${c.toLowerCase()}`);
  if (container?.allowPrivilegeEscalation === false) flags.push('--security-opt=no-new-privileges');
  if (container?.privileged) throw new Error(`${where}: a privileged container is not run by this harness`);
  const seccomp = container?.seccompProfile?.type ?? pod?.seccompProfile?.type;
  // RuntimeDefault is podman's default profile (containers-common's seccomp.json): no flag.
  if (seccomp === 'Unconfined') flags.push('--security-opt=seccomp=unconfined');
  else if (seccomp !== undefined && seccomp !== 'RuntimeDefault')
    throw new Error(`${where}: seccompProfile ${seccomp} is not run by this harness`);
  return flags;
}

/** The container's env, with the downward API's pod name and namespace resolved. */
export function envFlags(container: V1Container, rt: PodRuntime, where: string): string[] {
  const flags: string[] = [];
  for (const e of container.env ?? []) {
    const field = e.valueFrom?.fieldRef?.fieldPath;
    let value: string;
    if (e.value !== undefined) value = e.value;
    else if (field === 'metadata.name') value = rt.podName;
    else if (field === 'metadata.namespace') value = rt.namespace;
    else throw new Error(`${where}: env ${e.name} comes from something this harness does not provide`);
    flags.push(`--env=${e.name}=${value}`);
  }
  for (const [k, v] of Object.entries(rt.extraEnv ?? {})) flags.push(`--env=${k}=${v}`);
  return flags;
}

/** The container's volume mounts: Memory emptyDirs as tmpfs, other emptyDirs and Secrets as folders. */
export function mountFlags(deployment: V1Deployment, container: V1Container, rt: PodRuntime, where: string) {
  const pod = deployment.spec?.template.spec;
  const flags: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod?.volumes?.find((v) => v.name === mount.name);
    const at = `${where}: volumeMount ${mount.name}`;
    if (volume?.emptyDir && !volume.emptyDir.medium) {
      const dir = rt.diskDirs?.get(mount.name);
      if (!dir) throw new Error(`${at}: no folder was prepared for the emptyDir`);
      flags.push(
        `--mount=type=bind,source=${dir},destination=${mount.mountPath},ro=${mount.readOnly === true}`,
      );
    } else if (volume?.emptyDir) {
      if (volume.emptyDir.medium !== 'Memory')
        throw new Error(`${at}: emptyDir medium ${volume.emptyDir.medium}`);
      const size = volume.emptyDir.sizeLimit ? bytesOf(volume.emptyDir.sizeLimit, at) : undefined;
      const options = [`type=tmpfs`, `destination=${mount.mountPath}`, 'tmpfs-mode=0777'];
      if (size !== undefined) options.push(`tmpfs-size=${size}`);
      if (mount.readOnly) options.push('ro=true');
      flags.push(`--mount=${options.join(',')}`);
    } else if (volume?.secret) {
      const dir = rt.secretDirs.get(mount.name);
      if (!dir) throw new Error(`${at}: no folder was prepared for Secret ${volume.secret.secretName}`);
      // The kubelet mounts Secret volumes read-only whatever the mount says.
      flags.push(`--mount=type=bind,source=${dir},destination=${mount.mountPath},ro=true`);
    } else {
      throw new Error(`${at}: neither an emptyDir nor a Secret`);
    }
  }
  return flags;
}

/** `podman run` arguments (after `podman`) for one container of the rendered Deployment, detached. */
export function podmanRunArgs(deployment: V1Deployment, containerName: string, rt: PodRuntime): string[] {
  const pod = deployment.spec?.template.spec;
  const container = pod?.containers.find((c) => c.name === containerName);
  const where = `Deployment ${deployment.metadata?.name}, container ${containerName}`;
  if (!container) throw new Error(`${where}: no such container`);
  const image = rt.image ?? container.image;
  if (!image) throw new Error(`${where}: no image`);
  const [command, ...rest] = container.command ?? [];
  const limits = container.resources?.limits ?? {};
  const flags = [
    'run',
    '--detach',
    '--pull=never',
    `--name=${rt.containerName}`,
    '--network=host',
    ...Object.entries(rt.labels ?? {}).map(([k, v]) => `--label=${k}=${v}`),
    ...securityFlags(pod?.securityContext, container.securityContext, where),
    ...(limits.memory ? [`--memory=${bytesOf(limits.memory, `${where}: limits.memory`)}`] : []),
    ...(limits.cpu ? [`--cpus=${coresOf(limits.cpu, `${where}: limits.cpu`)}`] : []),
    ...(pod?.terminationGracePeriodSeconds !== undefined
      ? [`--stop-timeout=${pod.terminationGracePeriodSeconds}`]
      : []),
    `--env=KUBERNETES_SERVICE_HOST=${rt.apiServer.host}`,
    `--env=KUBERNETES_SERVICE_PORT=${rt.apiServer.port}`,
    ...envFlags(container, rt, where),
    ...mountFlags(deployment, container, rt, where),
  ];
  if (pod?.automountServiceAccountToken !== false) {
    if (!rt.serviceAccountDir) throw new Error(`${where}: the pod mounts its token, but none was prepared`);
    flags.push(
      `--mount=type=bind,source=${rt.serviceAccountDir},destination=${SERVICE_ACCOUNT_PATH},ro=true`,
    );
  }
  // command replaces the image's ENTRYPOINT, args its CMD.
  if (command !== undefined) flags.push(`--entrypoint=${JSON.stringify([command, ...rest])}`);
  return [...flags, image, ...(container.args ?? [])];
}
