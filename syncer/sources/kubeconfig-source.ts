/**
 * `--cluster-source=kubeconfig`: every context of a kubeconfig file is a member cluster
 * named after the context. Readiness comes from the syncer's own probes only.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { reuseConnections } from '../../lib/kube-connections.ts';
import { kubeconfigErrorMessage } from '../../lib/log-redaction.ts';
import type { ClusterSource, MemberDefinition } from './source.ts';

/** The members a kubeconfig file describes, one per context (pure apart from reading the file). */
export function membersFromKubeconfig(file: string, exclude: readonly string[] = []): MemberDefinition[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read member kubeconfig ${file}: ${(err as Error).message}`);
  }
  const all = new KubeConfig();
  try {
    all.loadFromString(text);
  } catch (err) {
    // Only the first line: the YAML parser quotes the lines around a fault, token and all.
    throw new Error(`member kubeconfig ${file} is not a valid kubeconfig: ${kubeconfigErrorMessage(err)}`);
  }
  if (all.getContexts().length === 0) throw new Error(`member kubeconfig ${file} has no contexts`);
  return all
    .getContexts()
    .filter((c) => !exclude.includes(c.name))
    .map((c) => {
      const kc = new KubeConfig();
      kc.loadFromString(text);
      kc.setCurrentContext(c.name);
      const cluster = kc.getCurrentCluster();
      if (!cluster)
        throw new Error(
          `context ${c.name} in ${file} names cluster ${c.cluster}, which the file does not define`,
        );
      const user = kc.getCurrentUser();
      const fingerprint = createHash('sha256')
        .update(JSON.stringify({ cluster, user }))
        .digest('hex')
        .slice(0, 16);
      return { name: c.name, kubeConfig: reuseConnections(kc), sourceReady: true, fingerprint };
    });
}

/** The member kubeconfig file, loaded; throws naming the file without quoting its lines. */
export function loadMemberKubeconfig(file: string): KubeConfig {
  const all = new KubeConfig();
  try {
    all.loadFromFile(file);
  } catch (err) {
    // Only the first line: the YAML parser quotes the lines around a fault, token and all.
    throw new Error(`cannot load the member kubeconfig ${file}: ${kubeconfigErrorMessage(err)}`);
  }
  return all;
}

/**
 * The contexts of the kubeconfig `file` that `--member-context` leaves out: none when `keep` is
 * empty, else every context not in it. Throws naming the file when it cannot be read or lacks
 * one of `keep`.
 */
export function excludedContexts(file: string, keep: readonly string[]): string[] {
  const all = loadMemberKubeconfig(file);
  const unknown = keep.filter((n) => !all.getContextObject(n));
  if (unknown.length > 0) throw new Error(`--member-context: ${file} has no context ${unknown.join(', ')}`);
  if (keep.length === 0) return [];
  return all
    .getContexts()
    .map((c) => c.name)
    .filter((n) => !keep.includes(n));
}

/** A kubeconfig file read once at start. */
export class KubeconfigSource implements ClusterSource {
  readonly kind = 'kubeconfig';
  private done = false;

  constructor(
    private readonly file: string,
    private readonly exclude: readonly string[] = [],
  ) {}

  get synced(): boolean {
    return this.done;
  }

  async start(onChange: (members: MemberDefinition[]) => void): Promise<void> {
    onChange(membersFromKubeconfig(this.file, this.exclude));
    this.done = true;
  }

  async stop(): Promise<void> {}
}
