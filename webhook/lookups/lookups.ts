/**
 * Warnings that need the API server: no Service of the same name, or a cluster nobody knows.
 * The reads sit behind small interfaces so the webhook runs (and is tested) without a cluster;
 * a read that fails or is slow only loses its warning, it never blocks admission: at its bound
 * the read is aborted (its request destroyed), not merely stopped being waited for.
 */
import type { Logger } from 'pino';
import type { MultiClusterService } from '../api.ts';
import type { Clock } from '../clock.ts';
import { fieldPath } from '../go-render/field-errors.ts';

/** The names of the member clusters known to the hub; the read stops when `signal` fires. */
export interface ClusterDirectory {
  clusterNames(signal: AbortSignal): Promise<ReadonlySet<string>>;
}

/** Whether a Service exists on the hub; the read stops when `signal` fires. */
export interface ServiceLookup {
  serviceExists(namespace: string, name: string, signal: AbortSignal): Promise<boolean>;
}

/** The optional reads and how long each may take. */
export interface Lookups {
  clusters?: ClusterDirectory;
  services?: ServiceLookup;
  /** Longest wait for one read; the API server gives the whole webhook call 3 s at most. */
  timeoutMs: number;
  logger: Logger;
  /** Called once per failed read, e.g. to count it. */
  onFailure?: (lookup: 'clusters' | 'services') => void;
}

/**
 * Runs `read` with a signal that aborts it after `ms`; rejects then even if the read ignores
 * the signal, so admission never waits longer.
 */
function withTimeout<T>(read: (signal: AbortSignal) => Promise<T>, ms: number, what: string): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new Error(`${what} took longer than ${ms} ms`);
      controller.abort(err);
      reject(err);
    }, ms);
  });
  return Promise.race([read(controller.signal), timeout]).finally(() => clearTimeout(timer));
}

async function serviceWarnings(
  mcs: MultiClusterService,
  namespace: string,
  lookups: Lookups,
): Promise<string[]> {
  const name = mcs.metadata?.name;
  if (!lookups.services || !name || !(mcs.spec?.types ?? []).includes('CrossCluster')) return [];
  try {
    const services = lookups.services;
    const exists = await withTimeout(
      (signal) => services.serviceExists(namespace, name, signal),
      lookups.timeoutMs,
      `reading Service ${namespace}/${name}`,
    );
    if (exists) return [];
    return [
      `no Service ${JSON.stringify(name)} in namespace ${JSON.stringify(namespace)}: nothing is exported until it exists`,
    ];
  } catch (err) {
    lookups.logger.warn(
      { err, namespace, name },
      'failed to read the Service of a MultiClusterService; no warning given',
    );
    lookups.onFailure?.('services');
    return [];
  }
}

async function clusterWarnings(mcs: MultiClusterService, lookups: Lookups): Promise<string[]> {
  const spec = mcs.spec ?? {};
  const named = (['providerClusters', 'consumerClusters'] as const).flatMap((list) =>
    (spec[list] ?? []).map((c, i) => ({ path: fieldPath('spec', list, i, 'name'), name: c.name })),
  );
  if (!lookups.clusters || named.length === 0) return [];
  try {
    const clusters = lookups.clusters;
    const known = await withTimeout(
      (signal) => clusters.clusterNames(signal),
      lookups.timeoutMs,
      'listing member clusters',
    );
    return named
      .filter((c) => !known.has(c.name))
      .map((c) => `${c.path}: cluster ${JSON.stringify(c.name)} is not a known member cluster`);
  } catch (err) {
    lookups.logger.warn({ err }, 'failed to list member clusters; no unknown-cluster warning given');
    lookups.onFailure?.('clusters');
    return [];
  }
}

/** The warnings that need API reads, both reads done at once. Never rejects. */
export async function lookupWarnings(
  mcs: MultiClusterService,
  namespace: string,
  lookups: Lookups,
): Promise<string[]> {
  const [services, clusters] = await Promise.all([
    serviceWarnings(mcs, namespace, lookups),
    clusterWarnings(mcs, lookups),
  ]);
  return [...services, ...clusters];
}

/**
 * Remembers the answer of inner for ttlMs, failures included, so a busy webhook lists clusters
 * at most once per period and a broken source is not asked again on every request.
 */
export function cachedClusterDirectory(
  inner: ClusterDirectory,
  ttlMs: number,
  clock: Clock,
): ClusterDirectory {
  let cached: { at: number; result: Promise<ReadonlySet<string>> } | undefined;
  return {
    clusterNames(signal) {
      const now = clock.now();
      if (!cached || now - cached.at >= ttlMs) {
        // The read belongs to the caller that started it: aborted with it, the failure is cached too.
        const result = inner.clusterNames(signal);
        result.catch(() => undefined);
        cached = { at: now, result };
      }
      return cached.result;
    },
  };
}
