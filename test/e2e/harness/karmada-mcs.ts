/**
 * What the suites beside Karmada's own MultiClusterService controllers share: the seed placed by
 * Karmada, a chart release whose members are Karmada's Clusters, readers for Karmada's Works and
 * for member2's copies, a recorder of the MCS's conditions, and the sampler that lists member2's
 * endpoints for nginx every 100 ms.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import {
  AppsV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1EndpointSlice,
  Watch,
} from '@kubernetes/client-node';
import type { MultiClusterService } from '../../../syncer/api/types.ts';
import type { ReliabilityTag } from '../../reliability/case.ts';
import { MEMBERS } from '../../sandbox/layout.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';
import { createAll, createNamespace, eventually, loadFixture } from '../../sandbox/testing.ts';
import { LocalRelease } from './chart-release.ts';
import type { SyncerUnderTest } from './syncer.ts';

export const MCS = { group: 'networking.karmada.io', version: 'v1alpha1', plural: 'multiclusterservices' };
export const WORK = { group: 'work.karmada.io', version: 'v1alpha1', plural: 'works' };
export const STANDING_DOWN = 'mcs-bridge.io/StandingDown';
export const KARMADA_DISPATCH = 'endpointslice-dispatch-controller.karmada.io';
export const OUR_DISPATCH = 'syncer.mcs-bridge.io';

/** A Work as the suites read it. */
export interface Work {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
  status?: { conditions?: { type: string; status: string; message?: string }[] };
}

/** The seed as the guide applies it to Karmada: nginx (member1) and its policy, then the Service and MCS. */
export async function applySeed(sb: Sandbox, namespace: string): Promise<void> {
  await createAll(sb, 'hub', namespace, await loadFixture('seed-karmada/nginx-deployment-propagation.yaml'));
  await createAll(sb, 'hub', namespace, await loadFixture('seed-karmada/nginx-service-mcs.yaml'));
}

/** The MCS `nginx`. */
export async function readMcs(sb: Sandbox, namespace: string): Promise<MultiClusterService> {
  const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
  return (await custom.getNamespacedCustomObject({
    ...MCS,
    namespace,
    name: 'nginx',
  })) as MultiClusterService;
}

/** Karmada's Works of the MCS path for `namespace/nginx`, in every execution space. */
export async function mcsWorks(sb: Sandbox, namespace: string): Promise<Work[]> {
  const custom = sb.kubeConfig('hub').makeApiClient(CustomObjectsApi);
  const list = (await custom.listClusterCustomObject({
    ...WORK,
    labelSelector: `multiclusterservice.karmada.io/namespace=${namespace},multiclusterservice.karmada.io/name=nginx`,
  })) as { items: Work[] };
  return list.items;
}

/** member2's slices of nginx (every manager). */
export async function member2Slices(sb: Sandbox, namespace: string): Promise<V1EndpointSlice[]> {
  const api = sb.kubeConfig('member2').makeApiClient(DiscoveryV1Api);
  const list = await api.listNamespacedEndpointSlice({
    namespace,
    labelSelector: 'kubernetes.io/service-name=nginx',
  });
  return list.items;
}

/** Ready endpoints across slices. */
export function readyEndpoints(slices: readonly V1EndpointSlice[]): number {
  return slices.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready !== false).length;
}

/** The copy of member1's slice in member2 (one per source slice), by its manager. */
export async function copiesIn(sb: Sandbox, namespace: string, manager: string): Promise<V1EndpointSlice[]> {
  return (await member2Slices(sb, namespace)).filter(
    (s) => s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'] === manager,
  );
}

/** Scales nginx on the hub (Karmada carries it to member1). */
export async function scaleNginx(sb: Sandbox, namespace: string, replicas: number): Promise<void> {
  await sb
    .kubeConfig('hub')
    .makeApiClient(AppsV1Api)
    .patchNamespacedDeployment(
      { namespace, name: 'nginx', body: { spec: { replicas } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
}

/** Waits until Karmada serves the seed: its copy in member2 holding `ready` ready endpoints. */
export async function karmadaServes(sb: Sandbox, namespace: string, ready: number, timeoutMs = 240_000) {
  return eventually(
    `Karmada's copy in member2 with ${ready} ready endpoints`,
    async () => {
      const copies = await copiesIn(sb, namespace, KARMADA_DISPATCH);
      if (copies.length === 0) throw new Error('no copy of Karmada in member2 yet');
      if (readyEndpoints(copies) !== ready) throw new Error(`${readyEndpoints(copies)} ready endpoints`);
      return copies;
    },
    { timeoutMs },
  );
}

/** What {@link EndpointSampler.stop} reports. */
export interface Sampling {
  samples: number;
  /** Samples in which member2 had no ready endpoint for nginx. */
  empty: number;
  /** Samples whose list failed or took over 2 s (counted apart: they say nothing either way). */
  errors: number;
  /** The longest run of consecutive empty samples, in samples. */
  longestEmptyRun: number;
  seconds: number;
}

/**
 * Lists member2's slices of nginx every `intervalMs` and counts the samples with no ready
 * endpoint. A list that has not answered after 2 s counts as an error, not as empty.
 */
export class EndpointSampler {
  private running = true;
  private readonly done: Promise<Sampling>;

  constructor(sb: Sandbox, namespace: string, intervalMs = 100) {
    this.done = this.loop(sb, namespace, intervalMs);
  }

  private async loop(sb: Sandbox, namespace: string, intervalMs: number): Promise<Sampling> {
    // Paced on the monotonic clock: a stepped wall clock does not bunch or stretch the samples.
    const started = performance.now();
    const out = { samples: 0, empty: 0, errors: 0, longestEmptyRun: 0 };
    let run = 0;
    for (let k = 1; this.running; k++) {
      const slices = await Promise.race([
        member2Slices(sb, namespace),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), 2_000).unref()),
      ]).catch(() => undefined);
      out.samples++;
      if (!slices) out.errors++;
      else if (readyEndpoints(slices) === 0) {
        out.empty++;
        run++;
        out.longestEmptyRun = Math.max(out.longestEmptyRun, run);
      } else run = 0;
      const wait = started + k * intervalMs - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    return { ...out, seconds: (performance.now() - started) / 1000 };
  }

  /** Stops sampling and reports. */
  stop(): Promise<Sampling> {
    this.running = false;
    return this.done;
  }

  /**
   * Stops sampling, puts the figures on the reliability tag and the test output under `what`,
   * and asserts that no sample was empty and no list failed.
   */
  async stopAndCheck(what: string, tag: ReliabilityTag): Promise<void> {
    const s = await this.stop();
    const line = describeSampling(s);
    tag.figures = line;
    console.log(`${what}: ${line}`);
    assert.equal(s.errors, 0, `failed lists: ${line}`);
    assert.equal(s.empty, 0, `empty samples: ${line}`);
  }
}

/** One line for the test output and the Reliability table. */
export function describeSampling(s: Sampling): string {
  return `${s.samples} samples of member2's endpoints every 100 ms over ${s.seconds.toFixed(1)} s, ${s.empty} empty (longest empty run ${s.longestEmptyRun}), ${s.errors} failed lists`;
}

/**
 * A chart release on the Karmada sandbox: members are Karmada's Clusters (their Secrets in
 * karmada-cluster), the webhooks see only `appNamespace`. Returns it with its cleanup.
 */
export async function karmadaRelease(
  sb: Sandbox,
  name: string,
  appNamespace: string,
): Promise<{ rel: LocalRelease; cleanup: () => Promise<void> }> {
  const ns = `${name}-system`;
  const cleanups: (() => Promise<unknown>)[] = [];
  cleanups.push(await createNamespace(sb, ns, ['hub']));
  const dir = await mkdtemp(path.join(sb.layout.dir, `${name}-`));
  const rel = new LocalRelease(sb, name, ns, appNamespace, dir);
  cleanups.push(await rel.prepare());
  return {
    rel,
    cleanup: async () => {
      await rel.teardown().catch(() => undefined);
      for (const c of cleanups.reverse()) await c().catch(() => undefined);
    },
  };
}

/** The chart's values for {@link karmadaRelease}, with `extra` merged over the top level. */
export function karmadaValues(rel: LocalRelease, extra: Record<string, unknown> = {}): object {
  return rel.values({
    members: {
      source: 'karmada',
      karmada: { secretNamespace: 'karmada-cluster', secretNames: [...MEMBERS] },
    },
    ...extra,
  });
}

/** The release's syncer of the current round, read as the syncer suites read theirs. */
export function releaseSyncer(rel: LocalRelease): SyncerUnderTest {
  const program = rel.programs.syncer;
  if (!program) throw new Error(`the release ${rel.name} runs no syncer`);
  return {
    program,
    metricsPort: rel.ports.metrics,
    metrics: async () => (await fetch(`http://127.0.0.1:${rel.ports.metrics}/metrics`)).text(),
  };
}

/**
 * `helm install` or `helm upgrade` of {@link karmadaRelease}'s chart with `coexistence` as
 * karmadaCoexistence, then a new round of the pod, as the Deployment would roll.
 */
export async function deployRound(
  rel: LocalRelease,
  verb: 'install' | 'upgrade',
  round: string,
  coexistence: object,
): Promise<void> {
  await rel.stopPod();
  await rel.helm(verb, karmadaValues(rel, { karmadaCoexistence: coexistence }));
  await rel.startPod(round);
}

/** One version of a condition as a watch saw it. */
export interface ConditionSeen {
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/**
 * Watches the MCS `nginx` and records every version of one condition type; `transitions()`
 * counts the changes of its status (appearing or going counts as one).
 */
export class ConditionRecorder {
  readonly seen: ConditionSeen[] = [];
  private abort?: AbortController;

  constructor(
    private readonly sb: Sandbox,
    private readonly namespace: string,
    private readonly type: string,
  ) {}

  async start(): Promise<void> {
    const watch = new Watch(this.sb.kubeConfig('hub'));
    const path = `/apis/${MCS.group}/${MCS.version}/namespaces/${this.namespace}/${MCS.plural}`;
    this.abort = await watch.watch(
      path,
      { fieldSelector: 'metadata.name=nginx' },
      (_phase, obj: MultiClusterService) => {
        const c = obj.status?.conditions?.find((x) => x.type === this.type);
        this.seen.push(c ? { ...c } : {});
      },
      () => undefined,
    );
  }

  stop(): void {
    this.abort?.abort();
  }

  /** How often the condition's status changed between consecutive versions (appearing or going counts as one). */
  transitions(): number {
    let n = 0;
    for (let i = 1; i < this.seen.length; i++) if (this.seen[i]?.status !== this.seen[i - 1]?.status) n++;
    return n;
  }

  /** Distinct versions of the condition (status, reason, message), in order. */
  versions(): string[] {
    const out: string[] = [];
    for (const c of this.seen) {
      const v = `${c.status ?? 'absent'}/${c.reason ?? ''}`;
      if (out[out.length - 1] !== v) out.push(v);
    }
    return out;
  }
}
