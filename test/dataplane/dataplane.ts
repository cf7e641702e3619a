/**
 * The data plane of a sandbox: member1's nginx pods as network namespaces running HTTP
 * servers with the pod IPs kwok gave them, member2's node with a real kube-proxy and a real
 * CoreDNS, and a client pod in member2 whose `curl http://nginx.<namespace>` goes through
 * them. {@link DataPlane.up} builds it (after removing any leftovers), {@link DataPlane.down}
 * removes every namespace, process and file of it, whatever state a failed run left.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { waitReady } from '../sandbox/health.ts';
import { sandboxLayout } from '../sandbox/layout.ts';
import type { MarkedProcess } from '../sandbox/processes.ts';
import { Sandbox } from '../sandbox/sandbox.ts';
import { eventually, runCommand } from '../sandbox/testing.ts';
import { deleteCorednsIdentity } from './coredns-identity.ts';
import { type DnsQueryResult, parseDnsQueryOutput } from './dns-answer.ts';
import { restoreSandboxKwok, startKubelet } from './kubelet.ts';
import {
  deleteDnsService,
  putDnsService,
  servesServiceImportsV1alpha1,
  startApiserverBridge,
  startCoreDns,
  startKubeProxy,
} from './member2-node.ts';
import { deleteNetns, execIn, listNetns } from './netns.ts';
import { addNodes, addPod } from './network.ts';
import { assertPreflight } from './preflight.ts';
import {
  COMPONENT_PREFIX,
  dataPlaneProcesses,
  programArgv,
  startDataPlaneProcess,
  stopDataPlaneProcesses,
} from './processes.ts';
import { type DataPlaneMember, type DataPlaneTopology, dataPlaneTopology, resolvConf } from './topology.ts';

/** Where `ip netns exec` finds a namespace's own /etc files (resolv.conf). */
const ETC_NETNS = '/etc/netns';

/** Options for {@link DataPlane.up}. */
export interface DataPlaneOptions {
  /** The namespace of nginx in member1 and of the curl client pod in member2. */
  namespace: string;
  /** Progress lines (default: stderr). */
  log?: (line: string) => void;
  /** How long each component may take to become ready (default 60 s). */
  timeoutMs?: number;
  /**
   * The members whose nginx pods (app=nginx) get a namespace and an HTTP server (default
   * member1). member2's sit beside its curl pod, behind the same node.
   */
  serverPodsIn?: readonly DataPlaneMember[];
}

/** What a data plane left behind: empty after a clean {@link DataPlane.down}. */
export interface DataPlaneLeftovers {
  netns: string[];
  processes: MarkedProcess[];
  etcNetns: string[];
}

/** What one curl from the client pod printed, and how it ended. */
export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

const defaultLog = (line: string) => process.stderr.write(`dataplane: ${line}\n`);

/** A running data plane. */
export class DataPlane {
  private constructor(
    readonly sandbox: Sandbox,
    readonly topology: DataPlaneTopology,
    /** The client pod's IP (the IP of member2's curl pod). */
    readonly clientIP: string,
    /** Whether member2's CoreDNS serves `clusterset.local` (member2 serves ServiceImports as v1alpha1). */
    readonly clusterset: boolean,
  ) {}

  /**
   * Builds the data plane for the nginx pods of member1 and the curl pod of member2 in
   * `namespace`. Refuses when not root or without `ip netns`. Leftovers of an earlier run
   * are removed first; when this throws, nothing of it is left behind.
   */
  static async up(sb: Sandbox, opts: DataPlaneOptions): Promise<DataPlane> {
    const log = opts.log ?? defaultLog;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    await assertPreflight();
    await DataPlane.down(sb.layout.dir, { log: () => {} });
    const topology = dataPlaneTopology(sb.layout);
    await mkdir(topology.dir, { recursive: true });
    try {
      log('network namespaces: the member1 and member2 nodes, routed to each other');
      await addNodes(topology);
      log("member2's node: the apiserver bridge, CoreDNS behind kube-dns, kube-proxy (nftables)");
      await startApiserverBridge(sb, topology, timeoutMs);
      await putDnsService(sb, topology);
      const clusterset = await servesServiceImportsV1alpha1(sb);
      log(
        clusterset
          ? 'CoreDNS: clusterset.local too, from ServiceImports (multicluster.x-k8s.io/v1alpha1)'
          : 'CoreDNS: no ServiceImport v1alpha1 in member2, so no clusterset.local',
      );
      await startCoreDns(sb, topology, { clusterset, timeoutMs });
      await startKubeProxy(sb, topology, timeoutMs);
      for (const member of opts.serverPodsIn ?? ['member1']) {
        log(`${member}'s pods: a namespace and an HTTP server for each nginx pod in ${opts.namespace}`);
        await startPodAgent(sb, member, opts.namespace, timeoutMs);
      }
      const { ip: clientIP, name: clientPod } = await curlPod(sb, opts.namespace, timeoutMs);
      log(`member2's client: the curl pod's namespace with ${clientIP}, resolv.conf for ${opts.namespace}`);
      await addPod(topology, 'member2', clientIP, topology.clientNetns);
      await mkdir(path.join(ETC_NETNS, topology.clientNetns), { recursive: true });
      await writeFile(
        path.join(ETC_NETNS, topology.clientNetns, 'resolv.conf'),
        resolvConf(topology, opts.namespace),
      );
      log(
        `member2's kubelet API: kwok at ${topology.nodes.member2.ip}:10250, exec into ${clientPod} runs in its namespace`,
      );
      await startKubelet(sb, topology, { name: clientPod, namespace: opts.namespace }, timeoutMs);
      return new DataPlane(sb, topology, clientIP, clusterset);
    } catch (err) {
      log(`set-up failed; removing what was built (logs stay in ${sb.layout.logsDir})`);
      await DataPlane.down(sb.layout.dir, { log: () => {} }).catch(() => undefined);
      throw err;
    }
  }

  /**
   * Removes the data plane of the sandbox in `dir`: its processes, every namespace whose
   * name carries the sandbox's prefix (and with them all veths, routes and nftables rules),
   * the client's /etc/netns folder, our kube-dns in member2 (when the sandbox still runs), and
   * its files. Safe to run when nothing is there; throws when something could not be removed.
   */
  static async down(dir: string, { log = defaultLog }: { log?: (line: string) => void } = {}): Promise<void> {
    const layout = sandboxLayout(path.resolve(dir));
    const topology = dataPlaneTopology(layout);
    await stopDataPlaneProcesses(layout.dir, log);
    for (const pidFile of await readdir(layout.pidsDir).catch(() => [] as string[])) {
      if (pidFile.startsWith(COMPONENT_PREFIX)) await rm(path.join(layout.pidsDir, pidFile), { force: true });
    }
    for (const netns of await listNetns(`${topology.prefix}-`)) {
      log(`deleting network namespace ${netns}`);
      await deleteNetns(netns);
    }
    for (const name of await etcNetns(topology.prefix)) {
      await rm(path.join(ETC_NETNS, name), { recursive: true, force: true });
    }
    const sb = await Sandbox.attach(dir).catch(() => undefined);
    // member2's kwok went with its node namespace: the sandbox's own takes over again.
    if (sb)
      await restoreSandboxKwok(sb).catch((err: Error) =>
        log(`could not restart member2's kwok: ${err.message}`),
      );
    if (sb && (await sb.healthy())) {
      await deleteDnsService(sb).catch((err: Error) =>
        log(`could not delete member2's kube-dns: ${err.message}`),
      );
      await deleteCorednsIdentity(sb).catch((err: Error) =>
        log(`could not delete CoreDNS's ClusterRole and binding in member2: ${err.message}`),
      );
    }
    await rm(topology.dir, { recursive: true, force: true });
    const left = await DataPlane.leftovers(dir);
    const what = [
      ...left.netns.map((n) => `network namespace ${n}`),
      ...left.processes.map((p) => `process ${p.component} (pid ${p.pid})`),
      ...left.etcNetns.map((n) => `${ETC_NETNS}/${n}`),
    ];
    if (what.length > 0)
      throw new Error(`the data plane of ${dir} was not removed completely: ${what.join(', ')}`);
  }

  /** What of the data plane of the sandbox in `dir` still exists. */
  static async leftovers(dir: string): Promise<DataPlaneLeftovers> {
    const { prefix } = dataPlaneTopology(sandboxLayout(path.resolve(dir)));
    return {
      netns: await listNetns(`${prefix}-`),
      processes: await dataPlaneProcesses(path.resolve(dir)),
      etcNetns: await etcNetns(prefix),
    };
  }

  /** Runs `curl -s <args>` in the client pod's namespace (at most `maxTimeS` seconds). */
  curl(args: string[], maxTimeS = 3): Promise<CurlResult> {
    return runCommand('ip', [
      'netns',
      'exec',
      this.topology.clientNetns,
      'curl',
      '-sS',
      '--max-time',
      `${maxTimeS}`,
      ...args,
    ]);
  }

  /**
   * Asks the client pod's nameserver (kube-dns, through kube-proxy) for `name`'s A or SRV
   * records, as a process of the pod would: inside its namespace, with its resolv.conf.
   */
  async resolve(type: 'A' | 'SRV', name: string): Promise<DnsQueryResult> {
    const r = await runCommand('ip', [
      'netns',
      'exec',
      this.topology.clientNetns,
      ...programArgv('dns-query', ['--type', type, name]),
    ]);
    if (r.code !== 0)
      throw new Error(`the DNS query for ${type} ${name} failed (exit ${r.code}): ${r.stderr}`);
    return parseDnsQueryOutput(r.stdout);
  }

  /** kube-proxy's nftables table in member2's node namespace, as `nft list` prints it. */
  kubeProxyRules(): Promise<string> {
    return execIn(this.topology.nodes.member2.netns, ['nft', 'list', 'table', 'ip', 'kube-proxy']);
  }
}

/**
 * Starts the pod agent of `member` (programs/pod-agent.ts) and waits until it follows the pods:
 * a namespace and an HTTP server for each nginx pod of `namespace`.
 */
async function startPodAgent(sb: Sandbox, member: DataPlaneMember, namespace: string, timeoutMs: number) {
  // Its log is appended to across runs: only what this agent writes counts.
  const agentLog = path.join(sb.layout.logsDir, `${COMPONENT_PREFIX}pods-${member}.log`);
  const logged = (await stat(agentLog).catch(() => ({ size: 0 }))).size;
  const agent = await startDataPlaneProcess(
    sb,
    `pods-${member}`,
    programArgv('pod-agent', [
      `--sandbox-dir=${sb.layout.dir}`,
      `--member=${member}`,
      `--namespace=${namespace}`,
      '--selector=app=nginx',
    ]),
  );
  await waitReady({
    what: `${member}'s pod agent`,
    ...agent,
    timeoutMs,
    ready: async () => (await readFile(agent.logFile)).subarray(logged).includes('following pods'),
  });
}

/** The IP kwok gave member2's curl pod in `namespace` (the client pod's identity), and its name. */
async function curlPod(
  sb: Sandbox,
  namespace: string,
  timeoutMs: number,
): Promise<{ ip: string; name: string }> {
  const core = sb.kubeConfig('member2').makeApiClient(CoreV1Api);
  return eventually(
    `a running curl pod (app=curl) with an IP in member2/${namespace}`,
    async () => {
      const pods = await core.listNamespacedPod({ namespace, labelSelector: 'app=curl' });
      const pod = pods.items.find((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp);
      const ip = pod?.status?.podIP;
      const name = pod?.metadata?.name;
      if (!ip || !name) throw new Error(`${pods.items.length} curl pods, none running with an IP`);
      return { ip, name };
    },
    { timeoutMs },
  );
}

async function etcNetns(prefix: string): Promise<string[]> {
  const names = await readdir(ETC_NETNS).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(`${prefix}-`));
}
