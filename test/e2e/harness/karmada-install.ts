/**
 * mcs-bridge installed the Karmada way on a Karmada sandbox: the install block of docs/install.md run
 * verbatim (two releases of the chart, karmada-apiserver = the hub and karmada-host, and the
 * kubeconfig Secret between them), then the karmada-host Deployment's two containers started
 * as local processes with the flags, environment and files it renders: they reach
 * karmada-apiserver through the kubeconfig in that Secret, as the chart's ServiceAccount.
 */
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { V1Deployment } from '@kubernetes/client-node';
import type { RunningProgram } from '../../sandbox/our-processes.ts';
import { REPO_ROOT, type Sandbox } from '../../sandbox/sandbox.ts';
import { runCommand } from '../../sandbox/testing.ts';
import { helm, releaseObjects, startContainer } from './chart.ts';

/** Our programs' process (and log file) names start with this, then `webhook-<run>` or `syncer-<run>`. */
export const PROCESS_PREFIX = 'mcs-bridge-';

/** The release name and namespace the install commands use. */
export const RELEASE = 'mcs-bridge';
export const NAMESPACE = 'mcs-system';

/** The page whose Karmada install block the suites run verbatim. */
export const INSTALL_DOC = 'docs/install.md';

/** The shell block of docs/install.md § On a Karmada control plane, between its markers. */
export async function readmeInstallBlock(): Promise<string> {
  const text = await readFile(path.join(REPO_ROOT, INSTALL_DOC), 'utf8');
  const m = /<!-- karmada-install:start -->\s*```sh\n([\s\S]*?)```\s*<!-- karmada-install:end -->/.exec(text);
  if (!m?.[1]) throw new Error(`${INSTALL_DOC} has no karmada-install block between its markers`);
  return m[1];
}

/** mcs-bridge on a Karmada sandbox, installed by the commands of docs/install.md. */
export class KarmadaInstall {
  readonly programs: Partial<Record<'webhook' | 'syncer', RunningProgram>> = {};

  constructor(
    private readonly sb: Sandbox,
    /** A folder for the commands' files and the containers' volumes. */
    readonly dir: string,
  ) {}

  /**
   * Writes `values` as values.yaml and runs the install block in `dir` with bash, kubectl and
   * helm from the sandbox, and KARMADA_APISERVER set to the hub's loopback address. Throws
   * with the block's output when a command fails.
   */
  async install(values: object): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(path.join(this.dir, 'values.yaml'), JSON.stringify(values));
    await mkdir(path.join(this.dir, 'charts'), { recursive: true });
    await symlink(path.join(REPO_ROOT, 'charts/mcs-bridge'), path.join(this.dir, 'charts/mcs-bridge')).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      },
    );
    const block = await readmeInstallBlock();
    const out = await runCommand(
      'bash',
      ['-euo', 'pipefail', '-c', `cd ${JSON.stringify(this.dir)}\n${block}`],
      {
        ...process.env,
        ...this.helmEnv(),
        PATH: `${this.sb.binDir}:${process.env.PATH ?? ''}`,
        KUBECONFIG: this.sb.layout.kubeconfig,
        KARMADA_APISERVER: this.sb.server('hub'),
      },
    );
    if (out.code !== 0)
      throw new Error(`the Karmada install block of docs/install.md failed:\n${out.stdout}${out.stderr}`);
  }

  /** Helm's state in the sandbox folder, as the chart suites keep it. */
  private helmEnv(): Record<string, string> {
    const home = path.join(this.sb.layout.dir, 'helm');
    return {
      HELM_CACHE_HOME: path.join(home, 'cache'),
      HELM_CONFIG_HOME: path.join(home, 'config'),
      HELM_DATA_HOME: path.join(home, 'data'),
    };
  }

  /** The Deployment the karmada-host release rendered. */
  async deployment(): Promise<V1Deployment> {
    const objects = await releaseObjects(this.sb, RELEASE, NAMESPACE, 'karmada-host');
    const d = objects.find((o) => o.kind === 'Deployment');
    if (!d) throw new Error('the karmada-host release has no Deployment');
    return d as V1Deployment;
  }

  /**
   * Starts both containers of the karmada-host Deployment, the webhook first (the syncer's
   * writes on MultiClusterServices go through it). `run` names the round.
   */
  async startPod(run: string): Promise<void> {
    const deployment = await this.deployment();
    for (const name of ['webhook', 'syncer'] as const) {
      this.programs[name] = await startContainer(this.sb, deployment, name, {
        dir: path.join(this.dir, run),
        processName: `${PROCESS_PREFIX}${name}-${run}`,
        cluster: 'karmada-host',
      });
    }
  }

  /** The kubeconfig the containers of a round read (the Secret's, as mounted). */
  kubeconfig(run: string): string {
    return path.join(this.dir, run, 'webhook', 'karmada-kubeconfig', 'kubeconfig');
  }

  /**
   * Stops the syncer, uninstalls both releases (karmada-host first, then karmada-apiserver,
   * whose webhook configurations go while the webhook still answers), stops the webhook and
   * deletes the namespaces the install block made, waiting until they are gone. Safe to run
   * when nothing was installed.
   */
  async teardown(): Promise<void> {
    await this.stop('syncer');
    try {
      for (const cluster of ['karmada-host', 'hub'] as const) {
        await helm(this.sb, ['uninstall', RELEASE, '-n', NAMESPACE, '--ignore-not-found'], cluster);
      }
    } finally {
      await this.stop('webhook');
    }
    for (const context of ['karmada-host', 'hub']) {
      const out = await runCommand(path.join(this.sb.binDir, 'kubectl'), [
        '--kubeconfig',
        this.sb.layout.kubeconfig,
        '--context',
        context,
        'delete',
        'namespace',
        NAMESPACE,
        '--ignore-not-found',
        '--timeout=60s',
      ]);
      if (out.code !== 0)
        throw new Error(`deleting namespace ${NAMESPACE} in ${context}: ${out.stderr.trim()}`);
    }
  }

  /** Stops one program, once. */
  async stop(name: 'webhook' | 'syncer'): Promise<void> {
    const program = this.programs[name];
    delete this.programs[name];
    await program?.stop();
  }
}
