/**
 * The local sandbox of real clusters: one etcd, kube-apiservers for the hub, member1 and
 * member2 sharing it by prefix, and per member a kube-controller-manager, a
 * kube-scheduler and kwok with one fake node. Its state lives in a folder (default
 * `.sandbox/`), so any process — the CLI, a test, a fault injector — can attach to it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { commandLine } from './commands.ts';
import { probe, waitReady } from './health.ts';
import { rejoinMember, startKarmada } from './karmada.ts';
import { agentEnv, agentReadyUrl } from './karmada-agent.ts';
import { karmadaReadyUrl } from './karmada-commands.ts';
import { writeKubeconfigs } from './kubeconfig.ts';
import { writeEgressConfigs } from './kubelet-egress.ts';
import {
  allComponents,
  type ClusterName,
  type ComponentId,
  clustersOf,
  componentName,
  DEFAULT_BASE_PORT,
  EVERY_SHAPE,
  type ExtraMember,
  type KarmadaOptions,
  MEMBERS,
  type PullMember,
  portsOf,
  type SandboxLayout,
  type SandboxShape,
  sandboxLayout,
} from './layout.ts';
import { installMemberCrds, loadMemberCrds, memberCrdsDir } from './mcs-api-crds.ts';
import { type AdminCredentials, ensureKarmadaPki, ensurePki } from './pki.ts';
import {
  findSandboxProcesses,
  isAlive,
  portIsFree,
  portOwner,
  readPid,
  removePidFile,
  sleep,
  startProcess,
  stopProcess,
} from './processes.ts';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root (this file is test/sandbox/sandbox.ts, or its compiled copy under dist/). */
export const REPO_ROOT = path.resolve(
  here,
  here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..',
);

/** Where `make sandbox-up` keeps its sandbox unless MCS_SANDBOX_DIR says otherwise. */
export const DEFAULT_SANDBOX_DIR = path.join(REPO_ROOT, '.sandbox');

interface SandboxState {
  basePort: number;
  binDir: string;
  startedAt: string;
  extraMembers?: ExtraMember[];
  karmada?: KarmadaOptions;
}

/** Options for starting a sandbox. */
export interface UpOptions {
  dir?: string;
  basePort?: number;
  /** Progress lines go here (default: stderr). */
  log?: (line: string) => void;
  /** How long each server may take to become ready. */
  timeoutMs?: number;
  /** Bare API-server members to run besides member1 and member2 (for benchmarks). */
  extraMembers?: readonly ExtraMember[];
  /** Karmada's control plane on the hub, karmada-host, and member1/member2 joined (test/sandbox/karmada.ts). */
  karmada?: KarmadaOptions;
}

const defaultLog = (line: string) => process.stderr.write(`sandbox: ${line}\n`);

/** The components of test/sandbox/build.sh a sandbox runs: Karmada's only when it has Karmada. */
export function neededComponents(shape: { karmada?: unknown }): string[] {
  return ['etcd', 'kwok', 'helm', 'k8s', ...(shape.karmada ? ['karmada'] : [])];
}

/**
 * Finds the cached binaries (built by test/sandbox/build.sh) of `components`, or says how to
 * build them. The folder holds every component built so far, so the data plane finds CoreDNS
 * there once it is built.
 */
export async function locateBinaries(components: readonly string[] = []): Promise<string> {
  const script = path.join(REPO_ROOT, 'test/sandbox/build.sh');
  try {
    const { stdout } = await run(script, ['--bin-dir', ...components]);
    return stdout.trim();
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`the sandbox binaries are not ready: ${(e.stderr || e.message).trim()}`);
  }
}

/** A running sandbox. Get one with {@link Sandbox.up} or {@link Sandbox.attach}. */
export class Sandbox {
  private readonly kubeConfigs = new Map<ClusterName, KubeConfig>();

  private constructor(
    /** Folder, ports and files of this sandbox. */
    readonly layout: SandboxLayout,
    /** Folder holding the Kubernetes binaries. */
    readonly binDir: string,
    /** The static admin token and the CA of the apiservers. */
    readonly admin: AdminCredentials,
    /** The bare API-server members this sandbox runs besides member1 and member2. */
    readonly extraMembers: readonly ExtraMember[] = [],
    private karmadaOptions: KarmadaOptions | undefined = undefined,
    private readonly startedAt = new Date().toISOString(),
  ) {}

  /** Karmada's options when this is a Karmada sandbox (`up({ karmada })`), else undefined. */
  get karmada(): Readonly<KarmadaOptions> | undefined {
    return this.karmadaOptions;
  }

  /** What this sandbox runs. */
  get shape(): SandboxShape {
    return { extraMembers: this.extraMembers, karmada: this.karmadaOptions };
  }

  /**
   * Starts a sandbox, or returns the one already running in that folder. A half-started
   * or half-stopped one is stopped first. Nothing is left running when this throws.
   */
  static async up(opts: UpOptions = {}): Promise<Sandbox> {
    const log = opts.log ?? defaultLog;
    const dir = path.resolve(opts.dir ?? DEFAULT_SANDBOX_DIR);
    const layout = sandboxLayout(dir, opts.basePort ?? DEFAULT_BASE_PORT);
    const extraMembers = [...(opts.extraMembers ?? [])].sort();
    const shape: SandboxShape = { extraMembers, karmada: opts.karmada };
    const binDir = await locateBinaries(neededComponents(shape));

    const running = await findSandboxProcesses(dir);
    if (running.length > 0) {
      const existing = await Sandbox.attach(dir).catch(() => undefined);
      const sameShape =
        existing?.layout.basePort === layout.basePort &&
        existing.extraMembers.join() === extraMembers.join() &&
        // Karmada's gate may have been switched since: the running one is kept as it is.
        (existing.karmada === undefined) === (opts.karmada === undefined);
      if (existing && sameShape && (await existing.healthy())) {
        log(`already running in ${dir}`);
        // Members asked to join in another mode leave and join again (setPullMembers).
        if (opts.karmada) await existing.setPullMembers(opts.karmada.pullMembers ?? [], opts.timeoutMs);
        return existing;
      }
      log(
        `found a half-started sandbox, or one of another shape, in ${dir} (${running.map((p) => p.component).join(', ')}): stopping it first`,
      );
      await Sandbox.down({ dir, log });
    }

    await assertPortsFree(layout, shape);
    // Fresh start: old cluster data and logs would only confuse.
    await rm(layout.etcdDataDir, { recursive: true, force: true });
    await rm(layout.logsDir, { recursive: true, force: true });
    await rm(layout.pidsDir, { recursive: true, force: true });
    await rm(layout.stateFile, { force: true });
    await mkdir(layout.logsDir, { recursive: true });
    // Written first, so that `down` knows the ports of even a half-started sandbox.
    await writeFile(basePortFile(dir), `${layout.basePort}\n`);
    const admin = await ensurePki(layout);
    if (opts.karmada) await ensureKarmadaPki(layout);
    await writeKubeconfigs(layout, admin, clustersOf(shape), { karmada: Boolean(opts.karmada) });
    await writeEgressConfigs(layout);
    const sandbox = new Sandbox(layout, binDir, admin, extraMembers, opts.karmada);
    const started = Date.now();
    try {
      await sandbox.startComponent({ component: 'etcd' }, opts.timeoutMs);
      log('etcd ready; starting the hub, member1 and member2 apiservers');
      await Promise.all(
        clustersOf(shape).map((cluster) =>
          sandbox.startComponent({ component: 'kube-apiserver', cluster }, opts.timeoutMs),
        ),
      );
      log('apiservers ready; starting controller managers, schedulers and kwok');
      for (const id of allComponents(shape).filter(
        (c) => c.component === 'kube-controller-manager' && !MEMBERS.some((m) => m === c.cluster),
      )) {
        await sandbox.startComponent(id, opts.timeoutMs);
      }
      for (const cluster of MEMBERS) {
        await sandbox.createFakeNode(cluster);
        for (const component of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as const) {
          await sandbox.startComponent({ component, cluster }, opts.timeoutMs);
        }
      }
      await Promise.all(MEMBERS.map((m) => sandbox.waitMemberReady(m, opts.timeoutMs ?? 120_000)));
      if (!opts.karmada) {
        // Karmada's sandbox keeps Karmada's own ServiceExport CRD (v1alpha1) in its members.
        const crds = await loadMemberCrds(memberCrdsDir(REPO_ROOT));
        await Promise.all(
          [...MEMBERS, ...extraMembers].map((m) =>
            installMemberCrds(m, sandbox.kubeConfig(m), crds, opts.timeoutMs ?? 120_000),
          ),
        );
      }
      if (opts.karmada) {
        log(
          'clusters ready; starting Karmada (aggregated apiserver, webhook, controller manager, scheduler)',
        );
        await startKarmada(sandbox, log, opts.timeoutMs ?? 120_000);
      }
      await sandbox.saveState();
      log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return sandbox;
    } catch (err) {
      log(`start-up failed; stopping what was started (logs stay in ${layout.logsDir})`);
      await Sandbox.down({ dir, log: () => {} }).catch(() => {});
      throw err;
    }
  }

  /** Attaches to the sandbox running in `dir` (default: MCS_SANDBOX_DIR or `.sandbox/`). */
  static async attach(dir: string = process.env.MCS_SANDBOX_DIR ?? DEFAULT_SANDBOX_DIR): Promise<Sandbox> {
    const abs = path.resolve(dir);
    const stateFile = sandboxLayout(abs).stateFile;
    if (!existsSync(stateFile)) {
      throw new Error(
        `no sandbox is running in ${abs} (no ${path.basename(stateFile)}): start one with 'make sandbox-up'`,
      );
    }
    const state = JSON.parse(await readFile(stateFile, 'utf8')) as SandboxState;
    const layout = sandboxLayout(abs, state.basePort);
    return new Sandbox(
      layout,
      state.binDir,
      await ensurePki(layout),
      state.extraMembers ?? [],
      state.karmada,
      state.startedAt,
    );
  }

  /** Writes what `attach` reads back: the ports, binaries and shape of this sandbox. */
  private async saveState(): Promise<void> {
    const state: SandboxState = {
      basePort: this.layout.basePort,
      binDir: this.binDir,
      startedAt: this.startedAt,
      extraMembers: [...this.extraMembers],
      karmada: this.karmadaOptions,
    };
    await writeFile(this.layout.stateFile, `${JSON.stringify(state, null, 2)}\n`);
  }

  /**
   * Restarts karmada-controller-manager with Karmada's MultiClusterService feature gate and
   * its three controllers on or off (they run only with the gate), and each Pull member's
   * karmada-agent with the gate (its endpointsliceCollect), and records the choice so a
   * restarted component keeps it. Only in a Karmada sandbox.
   */
  async setKarmadaMultiClusterService(on: boolean): Promise<void> {
    await this.setKarmadaOptions({ multiClusterService: on });
  }

  /**
   * Changes Karmada's options (the MultiClusterService gate, the client rate limit), restarts
   * the programs whose command line that changes (karmada-controller-manager always, so a call
   * is also a clean restart of it), and records them. Only in a Karmada sandbox.
   */
  async setKarmadaOptions(change: Partial<KarmadaOptions>): Promise<void> {
    if (!this.karmadaOptions)
      throw new Error(`the sandbox in ${this.layout.dir} runs no Karmada (start it with --karmada)`);
    const before = { ...this.karmadaOptions };
    const after: KarmadaOptions = { ...before, ...change };
    const ids: ComponentId[] = [{ component: 'karmada-controller-manager' }];
    const argv = (id: ComponentId, opts: KarmadaOptions) =>
      commandLine(this.layout, id, this.binDir, { karmada: opts }).join(' ');
    const others: ComponentId[] = [
      { component: 'karmada-scheduler' },
      // A Pull member's agent runs Karmada's MCS path too (its endpointsliceCollect), with the gate.
      ...(before.pullMembers ?? []).map((cluster): ComponentId => ({ component: 'karmada-agent', cluster })),
    ];
    for (const id of others) if (argv(id, before) !== argv(id, after)) ids.push(id);
    for (const id of ids) if ((await readPid(this.pidFile(id))) !== undefined) await this.stopComponent(id);
    this.karmadaOptions = after;
    await this.saveState();
    for (const id of ids) await this.startComponent(id);
  }

  /**
   * Joins each member again in the mode asked (Pull for those in `pullMembers`, Push for the
   * others) where that differs from now: its Cluster is deleted (and with it, by Karmada, its
   * execution space and Works) and the member joins anew, with or without its karmada-agent.
   * Records the choice. Only in a Karmada sandbox.
   */
  async setPullMembers(pullMembers: readonly PullMember[], timeoutMs = 120_000): Promise<void> {
    if (!this.karmadaOptions)
      throw new Error(`the sandbox in ${this.layout.dir} runs no Karmada (start it with --karmada)`);
    const before = new Set(this.karmadaOptions.pullMembers ?? []);
    for (const member of MEMBERS) {
      const pull = pullMembers.includes(member);
      if (pull === before.has(member)) continue;
      this.karmadaOptions = {
        ...this.karmadaOptions,
        pullMembers: MEMBERS.filter((m) =>
          m === member ? pull : (this.karmadaOptions?.pullMembers ?? []).includes(m),
        ),
      };
      await rejoinMember(this, member, pull ? 'Pull' : 'Push', timeoutMs);
      await this.saveState();
    }
  }

  /** Whether a component's process runs (for the agents, which a Pull member may or may not have). */
  async isRunning(id: ComponentId): Promise<boolean> {
    const pid = await readPid(this.pidFile(id));
    return pid !== undefined && (await isAlive(pid));
  }

  /**
   * Stops every process of the sandbox in `dir`, found by pid file and by environment
   * marker, and checks that their ports are released. Safe to run when nothing runs.
   */
  static async down(opts: { dir?: string; log?: (line: string) => void } = {}): Promise<void> {
    const log = opts.log ?? defaultLog;
    const dir = path.resolve(opts.dir ?? process.env.MCS_SANDBOX_DIR ?? DEFAULT_SANDBOX_DIR);
    // Without a recorded base port there is no telling which ports were this sandbox's: a
    // guess could name the ports of another sandbox, so then the port check is skipped.
    const recorded = Number((await readFile(basePortFile(dir), 'utf8').catch(() => '')).trim());
    const basePort = Number.isInteger(recorded) && recorded > 0 ? recorded : undefined;
    const layout = sandboxLayout(dir, basePort ?? DEFAULT_BASE_PORT);
    const procs = await findSandboxProcesses(dir);
    // Stop in reverse start order: clients before the apiservers, etcd last.
    const order = allComponents(EVERY_SHAPE).map(componentName).reverse();
    procs.sort((a, b) => rank(order, a.component) - rank(order, b.component));
    for (const p of procs) {
      log(`stopping ${p.component} (pid ${p.pid})`);
      await stopProcess(p.pid, 10_000);
    }
    await rm(layout.pidsDir, { recursive: true, force: true });
    await rm(layout.stateFile, { force: true });
    const busy: string[] = [];
    for (const id of basePort === undefined || procs.length === 0 ? [] : allComponents(EVERY_SHAPE)) {
      for (const port of portsOf(layout, id)) {
        if (!(await waitPortFree(port, 5_000)))
          busy.push(`${port} (${(await portOwner(port)) ?? 'unknown owner'})`);
      }
    }
    if (busy.length > 0) throw new Error(`sandbox stopped, but ports are still in use: ${busy.join(', ')}`);
    await rm(basePortFile(dir), { force: true });
    log(procs.length > 0 ? `stopped ${procs.length} processes; nothing left running` : 'nothing was running');
  }

  /** A KubeConfig for one cluster, authenticated as the sandbox admin. */
  kubeConfig(cluster: ClusterName): KubeConfig {
    let kc = this.kubeConfigs.get(cluster);
    if (!kc) {
      kc = new KubeConfig();
      kc.loadFromFile(this.layout.kubeconfig);
      kc.setCurrentContext(cluster);
      this.kubeConfigs.set(cluster, kc);
    }
    return kc;
  }

  /** The HTTPS URL of a cluster's apiserver. */
  server(cluster: ClusterName): string {
    return `https://127.0.0.1:${this.layout.clusters[cluster].apiserverPort}`;
  }

  /** True when every process runs and every apiserver answers /readyz. */
  async healthy(): Promise<boolean> {
    for (const id of allComponents(this.shape)) {
      const pid = await readPid(this.pidFile(id));
      if (pid === undefined || !(await isAlive(pid))) return false;
    }
    for (const cluster of clustersOf(this.shape)) {
      const r = await probe(`${this.server(cluster)}/readyz`, {
        ca: this.admin.caPem,
        token: this.admin.token,
      }).catch(() => undefined);
      if (r?.status !== 200) return false;
    }
    return true;
  }

  /** Starts one component and waits until it is ready. */
  async startComponent(id: ComponentId, timeoutMs = 120_000): Promise<void> {
    const name = componentName(id);
    const pidFile = this.pidFile(id);
    const existing = await readPid(pidFile);
    if (existing !== undefined && (await isAlive(existing)))
      throw new Error(`${name} is already running (pid ${existing})`);
    const logFile = path.join(this.layout.logsDir, `${name}.log`);
    const pid = await startProcess({
      name,
      bin: path.join(this.binDir, id.component),
      args: commandLine(this.layout, id, this.binDir, this.shape),
      env: id.component === 'karmada-agent' ? agentEnv(this.layout, id.cluster as PullMember) : undefined,
      sandboxDir: this.layout.dir,
      logFile,
      pidFile,
    });
    await waitReady({ what: name, pid, logFile, timeoutMs, ready: () => this.isReady(id) });
  }

  /**
   * Stops one component (for fault tests: an apiserver that goes away). `signal` SIGKILL
   * simulates a crash; the default SIGTERM a clean stop, which becomes a SIGKILL after
   * `graceMs`: a kube-apiserver waits for its clients' open watch streams before it exits,
   * and those clients (controller manager, scheduler, kwok) never close them.
   */
  async stopComponent(id: ComponentId, signal: NodeJS.Signals = 'SIGTERM', graceMs = 3_000): Promise<void> {
    const pidFile = this.pidFile(id);
    const pid = await readPid(pidFile);
    if (pid === undefined) throw new Error(`${componentName(id)} has no pid file: it is not running`);
    await stopProcess(pid, graceMs, signal);
    await removePidFile(pidFile);
    for (const port of portsOf(this.layout, id)) await waitPortFree(port, 10_000);
  }

  /** Stops a cluster's apiserver (its clients see connection refused). */
  stopApiserver(cluster: ClusterName, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return this.stopComponent({ component: 'kube-apiserver', cluster }, signal);
  }

  /**
   * Starts a cluster's apiserver again and waits for /readyz. With `restartClients` (the
   * default) its controller manager, scheduler and kwok are restarted too: after an outage
   * they sit in client-go's reconnect backoff for up to 30 s, and a fault test should hand
   * the next test a cluster that works, not one still recovering.
   */
  async startApiserver(cluster: ClusterName, { restartClients = true } = {}): Promise<void> {
    await this.startComponent({ component: 'kube-apiserver', cluster });
    if (!restartClients) return;
    for (const id of allComponents(this.shape).filter(
      (c) => c.cluster === cluster && c.component !== 'kube-apiserver',
    )) {
      if ((await readPid(this.pidFile(id))) !== undefined) await this.stopComponent(id);
      await this.startComponent(id);
    }
  }

  private pidFile(id: ComponentId): string {
    return path.join(this.layout.pidsDir, `${componentName(id)}.pid`);
  }

  private async isReady(id: ComponentId): Promise<boolean> {
    switch (id.component) {
      case 'etcd':
        return (await probe(`http://127.0.0.1:${this.layout.etcdClientPort}/health`)).status === 200;
      case 'kube-apiserver': {
        const cluster = id.cluster as ClusterName;
        const r = await probe(`${this.server(cluster)}/readyz`, {
          ca: this.admin.caPem,
          token: this.admin.token,
        });
        return r.status === 200;
      }
      case 'karmada-aggregated-apiserver':
      case 'karmada-webhook':
      case 'karmada-controller-manager':
      case 'karmada-scheduler': {
        const url = karmadaReadyUrl(this.layout, id.component);
        return (await probe(url, { ca: this.admin.caPem })).status === 200;
      }
      case 'karmada-agent':
        return (await probe(agentReadyUrl(this.layout, id.cluster as PullMember))).status === 200;
      default:
        // No port to probe (they run with --secure-port=0); waitMemberReady checks their work.
        await sleep(200);
        return true;
    }
  }

  /** Registers the fake node kwok will manage; the scheduler places pods on it. */
  private async createFakeNode(cluster: ClusterName): Promise<void> {
    const c = this.layout.clusters[cluster];
    if (!c.nodeName) throw new Error(`cluster ${cluster} has no node`);
    const core = this.kubeConfig(cluster).makeApiClient(CoreV1Api);
    await core.createNode({
      body: {
        metadata: {
          name: c.nodeName,
          labels: {
            'kubernetes.io/hostname': c.nodeName,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            'node.kubernetes.io/instance-type': 'kwok',
            'topology.kubernetes.io/zone': `${cluster}-zone-a`,
            type: 'kwok',
          },
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
        },
      },
    });
  }

  /** A member is ready when kwok made its node Ready and the controller manager made the default ServiceAccount. */
  private async waitMemberReady(cluster: ClusterName, timeoutMs: number): Promise<void> {
    const core = this.kubeConfig(cluster).makeApiClient(CoreV1Api);
    const nodeName = this.layout.clusters[cluster].nodeName as string;
    await waitReady({
      what: `${cluster}'s node ${nodeName} (kwok)`,
      logFile: path.join(this.layout.logsDir, `kwok-${cluster}.log`),
      timeoutMs,
      ready: async () => {
        const node = await core.readNode({ name: nodeName });
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      },
    });
    await waitReady({
      what: `${cluster}'s default ServiceAccount (kube-controller-manager)`,
      logFile: path.join(this.layout.logsDir, `kube-controller-manager-${cluster}.log`),
      timeoutMs,
      ready: async () =>
        Boolean(await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' })),
    });
  }
}

/** Where a sandbox records its base port the moment it starts. */
function basePortFile(dir: string): string {
  return path.join(dir, 'base-port');
}

function rank(order: string[], component: string): number {
  const i = order.indexOf(component);
  return i < 0 ? -1 : i; // unknown components (webhook, syncer started by tests) stop first
}

async function assertPortsFree(layout: SandboxLayout, shape: SandboxShape): Promise<void> {
  const problems: string[] = [];
  for (const id of allComponents(shape)) {
    for (const port of portsOf(layout, id)) {
      if (!(await portIsFree(port))) {
        const owner = (await portOwner(port)) ?? 'an unknown process';
        problems.push(`port ${port} (for ${componentName(id)}) is in use by ${owner}`);
      }
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `cannot start the sandbox in ${layout.dir}: ${problems.join('; ')}. ` +
        'Stop that process, or pick other ports with MCS_SANDBOX_PORT_BASE=<port>.',
    );
  }
}

async function waitPortFree(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!(await portIsFree(port))) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}
