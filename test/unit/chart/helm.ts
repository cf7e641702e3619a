/**
 * Runs the real helm binary on charts/mcs-bridge: the one the sandbox builds (`make helm`
 * builds it alone; HELM overrides it), else helm on PATH. Rendering needs no cluster.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type {
  KubernetesObject,
  V1ClusterRole,
  V1Container,
  V1Deployment,
  V1MutatingWebhookConfiguration,
  V1PolicyRule,
  V1Role,
  V1ValidatingWebhookConfiguration,
} from '@kubernetes/client-node';
import { loadAllYaml } from '@kubernetes/client-node';
import { REPO_ROOT } from '../../sandbox/sandbox.ts';

/** The chart under test. */
export const CHART_DIR = path.join(REPO_ROOT, 'charts/mcs-bridge');

/** The Kubernetes version templates are rendered for (the sandbox's). */
export const KUBE_VERSION = '1.35.0';

/** The helm binary, or undefined when there is none (then every chart test fails saying so). */
export function locateHelm(): string | undefined {
  if (process.env.HELM) return process.env.HELM;
  try {
    // Only helm: the unit tests need no cluster, so no other sandbox binary has to be built.
    const dir = execFileSync(path.join(REPO_ROOT, 'test/sandbox/build.sh'), ['--bin-dir', 'helm'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    return path.join(dir, 'helm');
  } catch {
    try {
      execFileSync('helm', ['version', '--short'], { stdio: 'ignore' });
      return 'helm';
    } catch {
      return undefined;
    }
  }
}

/** The helm binary the tests run, found once. */
export const HELM = locateHelm();
/** Why the chart tests cannot run (they fail with this reason), or undefined when helm was found. */
export const NO_HELM = HELM
  ? undefined
  : 'no helm binary: run `make sandbox-build` (or set HELM=/path/to/helm) to run the chart tests';

/** Runs helm; never throws on a non-zero exit, but throws when there is no helm to run. */
export async function helm(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  if (NO_HELM) throw new Error(NO_HELM);
  try {
    const { stdout, stderr } = await promisify(execFile)(HELM ?? 'helm', args, { maxBuffer: 32 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Runs `fn` with a values file holding `values` (JSON, which helm reads as YAML). */
export async function withValuesFile<T>(values: object, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'chart-values-'));
  const file = path.join(dir, 'values.json');
  writeFileSync(file, JSON.stringify(values));
  try {
    return await fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The outcome of `helm template` with these values. */
export function template(
  values: object,
  { release = 'mcs-bridge', namespace = 'mcs-system' } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return withValuesFile(values, (file) =>
    helm(['template', release, CHART_DIR, '-n', namespace, '--kube-version', KUBE_VERSION, '-f', file]),
  );
}

/** The objects `helm template` renders with these values; throws with helm's error. */
export async function render(values: object = {}, opts: { release?: string; namespace?: string } = {}) {
  const out = await template(values, opts);
  if (out.code !== 0) throw new Error(`helm template failed: ${out.stderr}`);
  // Plain objects, not client-node's classes, so deepEqual compares only fields.
  const objects = JSON.parse(JSON.stringify(loadAllYaml(out.stdout))) as (KubernetesObject | null)[];
  return new Rendered(objects.filter((o): o is KubernetesObject => o !== null));
}

/** Rendered objects, with finders for the ones the tests look at. */
export class Rendered {
  constructor(readonly objects: KubernetesObject[]) {}

  /** The one object of this kind (and name, when given); throws when absent. */
  one<T extends KubernetesObject>(kind: string, name?: string): T {
    const found = this.all<T>(kind).filter((o) => name === undefined || o.metadata?.name === name);
    if (found.length !== 1) throw new Error(`expected one ${kind} ${name ?? ''}, found ${found.length}`);
    return found[0] as T;
  }

  /** Every object of this kind. */
  all<T extends KubernetesObject>(kind: string): T[] {
    return this.objects.filter((o) => o.kind === kind) as T[];
  }

  /** `kind/name` of every object, sorted. */
  names(): string[] {
    return this.objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
  }

  /** The one Deployment. */
  deployment(): V1Deployment {
    return this.one<V1Deployment>('Deployment');
  }

  /** A container of the Deployment's pod. */
  container(name: 'webhook' | 'syncer'): V1Container {
    const c = this.deployment().spec?.template.spec?.containers.find((x) => x.name === name);
    if (!c) throw new Error(`no container ${name}`);
    return c;
  }

  /** The Mutating and the Validating webhook configuration. */
  webhookConfigurations(): [V1MutatingWebhookConfiguration, V1ValidatingWebhookConfiguration] {
    return [this.one('MutatingWebhookConfiguration'), this.one('ValidatingWebhookConfiguration')];
  }

  /** Every RBAC rule, as `Kind namespace: group/resource[names]: verbs` lines, sorted. */
  rbacRules(): string[] {
    const lines: string[] = [];
    for (const role of [...this.all<V1ClusterRole>('ClusterRole'), ...this.all<V1Role>('Role')]) {
      const where = role.kind === 'Role' ? `Role ${role.metadata?.namespace}` : 'ClusterRole';
      for (const rule of role.rules ?? []) lines.push(...describeRule(where, rule));
    }
    return lines.sort();
  }
}

function describeRule(where: string, rule: V1PolicyRule): string[] {
  const names = rule.resourceNames?.length ? `[${rule.resourceNames.join(',')}]` : '';
  return (rule.apiGroups ?? ['']).flatMap((g) =>
    (rule.resources ?? []).map(
      (r) => `${where}: ${g === '' ? 'core' : g}/${r}${names}: ${[...rule.verbs].sort().join(',')}`,
    ),
  );
}

/** The value of `--flag=value` in args, or true for a bare `--flag`, or undefined. */
export function flag(args: readonly string[] | undefined, name: string): string | true | undefined {
  for (const arg of args ?? []) {
    if (arg === `--${name}`) return true;
    if (arg.startsWith(`--${name}=`)) return arg.slice(name.length + 3);
  }
  return undefined;
}

/** Every value of a repeated `--flag=value`. */
export function flags(args: readonly string[] | undefined, name: string): string[] {
  return (args ?? []).filter((a) => a.startsWith(`--${name}=`)).map((a) => a.slice(name.length + 3));
}
