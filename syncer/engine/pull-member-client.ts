/**
 * The {@link KubeClient} of a Pull-mode member (docs/pull-mode.md): the member's API is never
 * called. Requests for the member's Services and EndpointSlices become requests for the Works
 * of its execution space on the hub (karmada/pull-works.ts maps one to the other).
 * Its Namespaces are those a Work of its execution space carries (Karmada's namespace controller
 * writes one per hub namespace), and `default`; the syncer creates none there: a namespace
 * create is answered AlreadyExists at once, and a Service Work whose namespace the member
 * lacks is refused by the agent, which the MCS status then says.
 * So the member cache, the planner and the executor work on a Pull member unchanged: a create
 * is a Work created, an update a Work replaced (guarded by the Work's resourceVersion), a delete
 * a Work deleted (guarded by its uid and resourceVersion), and each answer carries the Work's
 * resourceVersion, which is what the member cache's watch of the Works then delivers. Every
 * request goes to the hub, with the hub's credentials: nothing needs the member's.
 * What the control plane cannot see of a Pull member (its Nodes, ServiceCIDRs) is refused with
 * a 403 that says so.
 */
import type { KubernetesListObject, KubernetesObject } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node';
import { KARMADA_WORK } from '../karmada/facts.ts';
import {
  ALWAYS_PRESENT_NAMESPACE,
  executionSpace,
  type KarmadaWorkObject,
  objectFromWork,
  type PullKind,
  workFor,
  workName,
} from '../karmada/pull-works.ts';
import type { KubeClient } from '../kube/cluster-client.ts';
import type { RawRequest, RawWatchEvent } from '../kube/raw-api.ts';

/** A member path the client serves: a collection of one kind, or one object of it. */
interface Target {
  kind: PullKind;
  namespace: string;
  name?: string;
}

const PATTERNS: { re: RegExp; kind: PullKind }[] = [
  { re: /^\/api\/v1\/namespaces(?:\/([^/]+))?$/, kind: 'Namespace' },
  { re: /^\/api\/v1\/(?:namespaces\/([^/]+)\/)?services(?:\/([^/]+))?$/, kind: 'Service' },
  {
    re: /^\/apis\/discovery\.k8s\.io\/v1\/(?:namespaces\/([^/]+)\/)?endpointslices(?:\/([^/]+))?$/,
    kind: 'EndpointSlice',
  },
];

/** What a member path names, or undefined for a path the client does not serve. */
export function targetOf(path: string): Target | undefined {
  for (const { re, kind } of PATTERNS) {
    const m = re.exec(path);
    if (!m) continue;
    if (kind === 'Namespace') return { kind, namespace: '', name: m[1] && decodeURIComponent(m[1]) };
    return { kind, namespace: m[1] ? decodeURIComponent(m[1]) : '', name: m[2] && decodeURIComponent(m[2]) };
  }
  return undefined;
}

/** An API error as the API server sends it. */
function apiError(code: number, reason: string, message: string): ApiException<string> {
  const body = JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message });
  return new ApiException(code, `HTTP-Code: ${code}\nBody: ${body}`, body, {});
}

/** Whether `o` matches a label selector of the forms `key`, `!key` and `key=value` (what the caches use). */
function matches(o: KubernetesObject, selector: string | undefined): boolean {
  if (!selector) return true;
  const labels = o.metadata?.labels ?? {};
  return selector.split(',').every((term) => {
    if (term.startsWith('!')) return labels[term.slice(1)] === undefined;
    const [key = '', value] = term.split('=');
    return value === undefined ? labels[key] !== undefined : labels[key] === value;
  });
}

/** Options of a {@link PullMemberClient}. */
export interface PullMemberClientOptions {
  /** The member's name (its Karmada Cluster's). */
  cluster: string;
  /** The hub's client: every request of this one goes there. */
  hub: KubeClient;
}

/** A Pull-mode member's client, over its Works on the hub. */
export class PullMemberClient implements KubeClient {
  readonly name: string;
  private readonly hub: KubeClient;
  private readonly worksPath: string;

  constructor(o: PullMemberClientOptions) {
    this.name = o.cluster;
    this.hub = o.hub;
    const { group, version, plural } = KARMADA_WORK;
    this.worksPath = `/apis/${group}/${version}/namespaces/${executionSpace(o.cluster)}/${plural}`;
  }

  /** Reads: `/readyz` is the hub's (the member's readiness is its Cluster's Ready condition); GET of one object is its Work's. */
  async request<T>(verb: string, r: RawRequest): Promise<T> {
    if (r.path === '/readyz') return this.hub.request<T>(verb, r);
    const t = this.served(r);
    if (r.method !== 'GET' || !t.name || t.kind === 'Namespace') throw this.refused(r);
    const work = await this.hub.request<KarmadaWorkObject>(verb, {
      ...r,
      path: `${this.worksPath}/${encodeURIComponent(workName(t.kind, t.namespace, t.name))}`,
    });
    const o = objectFromWork(work, t.kind);
    if (!o)
      throw apiError(404, 'NotFound', `${t.kind} ${t.namespace}/${t.name} is not held by a Work of ours`);
    return o as T;
  }

  /** Writes: a create, replace or delete of the object's Work, answered with the object as the Work now holds it. */
  async write<T>(verb: string, r: RawRequest): Promise<T> {
    const t = this.served(r);
    const body = r.body as KubernetesObject & { preconditions?: unknown };
    const named = (name: string) =>
      `${this.worksPath}/${encodeURIComponent(workName(t.kind, t.namespace, name))}`;
    if (t.kind === 'Namespace') {
      if (r.method === 'POST')
        throw apiError(
          409,
          'AlreadyExists',
          `namespaces in ${this.name} come from Karmada's namespace Works`,
        );
      throw this.refused(r);
    }
    switch (r.method) {
      case 'POST': {
        const object = { ...body, metadata: { ...body.metadata, namespace: t.namespace || undefined } };
        const work = workFor(this.name, t.kind, object);
        const created = await this.hub.write<KarmadaWorkObject>(verb, {
          ...r,
          path: this.worksPath,
          body: work,
        });
        return objectFromWork(created, t.kind) as T;
      }
      case 'PUT': {
        if (!t.name) throw this.refused(r);
        const work = workFor(this.name, t.kind, body, body.metadata?.resourceVersion);
        const replaced = await this.hub.write<KarmadaWorkObject>(verb, {
          ...r,
          path: named(t.name),
          body: work,
        });
        return objectFromWork(replaced, t.kind) as T;
      }
      case 'DELETE': {
        if (!t.name) throw this.refused(r);
        // The preconditions name the Work's uid and resourceVersion: the object was read from it.
        return this.hub.write<T>(verb, { ...r, path: named(t.name) });
      }
      default:
        throw this.refused(r);
    }
  }

  async list<T extends KubernetesObject>(
    path: string,
    transform: (o: T) => T,
    labelSelector?: string,
    signal?: AbortSignal,
  ): Promise<KubernetesListObject<T>> {
    const t = this.served({ method: 'GET', path });
    const works = await this.hub.list<KarmadaWorkObject>(this.worksPath, (w) => w, undefined, signal);
    const items: T[] = [];
    if (t.kind === 'Namespace') items.push(transform(structuredClone(ALWAYS_PRESENT_NAMESPACE) as T));
    for (const w of works.items) {
      const o = this.project(w, t, labelSelector);
      if (o) items.push(transform(o as T));
    }
    return {
      apiVersion: 'v1',
      kind: 'List',
      metadata: { resourceVersion: works.metadata?.resourceVersion },
      items,
    };
  }

  watch(
    path: string,
    query: { resourceVersion: string; labelSelector?: string },
    onEvent: (e: RawWatchEvent) => void,
    onOpen: () => void,
    signal: AbortSignal,
  ): Promise<void> {
    const t = this.served({ method: 'GET', path });
    return this.hub.watch(
      this.worksPath,
      { resourceVersion: query.resourceVersion },
      (e) => {
        if (e.type !== 'ADDED' && e.type !== 'MODIFIED' && e.type !== 'DELETED') return onEvent(e);
        const work = e.object as KarmadaWorkObject;
        const o = this.project(work, t, query.labelSelector);
        if (o) onEvent({ type: e.type, object: o });
        // A Work of another kind moves the resourceVersion on: a bookmark keeps the watch's place.
        else
          onEvent({
            type: 'BOOKMARK',
            object: { metadata: { resourceVersion: work.metadata?.resourceVersion } },
          });
      },
      onOpen,
      signal,
    );
  }

  /** The object a Work stands for, if it is of the target's kind, namespace and selector. */
  private project(
    work: KarmadaWorkObject,
    t: Target,
    selector: string | undefined,
  ): KubernetesObject | undefined {
    const o = objectFromWork(work, t.kind);
    if (!o || !matches(o, selector)) return undefined;
    if (t.kind === 'Namespace' && o.metadata?.name === ALWAYS_PRESENT_NAMESPACE.metadata?.name)
      return undefined;
    if (t.namespace && o.metadata?.namespace !== t.namespace) return undefined;
    return o;
  }

  private served(r: Pick<RawRequest, 'method' | 'path'>): Target {
    const t = targetOf(r.path);
    if (!t) throw this.refused(r);
    return t;
  }

  private refused(r: Pick<RawRequest, 'method' | 'path'>): ApiException<string> {
    return apiError(
      403,
      'Forbidden',
      `${r.method} ${r.path} in ${this.name}: a Pull-mode cluster is reached only through the Works of ${executionSpace(this.name)}`,
    );
  }
}
