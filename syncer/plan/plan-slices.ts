/**
 * Plans the dispatched EndpointSlices: a copy of every provider slice in every other consumer,
 * and nothing else of ours.
 */
import type { V1EndpointSlice } from '@kubernetes/client-node';
import { dispatchedSliceName, LABEL_SERVICE_NAME } from '../names.ts';
import type { EndpointSliceAction } from './actions.ts';
import { isLive, isLost } from './clusters.ts';
import type { PlanContext } from './context.ts';
import { isDeleting, isWritable } from './context.ts';
import {
  hasReadyEndpoint,
  isCollectable,
  isOwnedSlice,
  markedNotReady,
  sliceCopy,
  sliceDrift,
  sourceClusterOf,
} from './slices.ts';
import type { Problem } from './types.ts';

/** The EndpointSlice actions and the conflicts found. */
export interface SlicePlan {
  /** Creates, updates and deletes of dispatched slices. */
  readonly actions: EndpointSliceAction[];
  /** Foreign slices holding the name of a copy (`EndpointSliceConflict`). */
  readonly problems: Problem[];
}

function byName(a: V1EndpointSlice, b: V1EndpointSlice): number {
  const x = a.metadata?.name ?? '';
  const y = b.metadata?.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The copies `consumer` must hold, by name: every collectable slice of every live provider other
 * than the consumer itself. Two copies whose plain names collide (`a` + `b-c` and `a-b` + `c`)
 * both take the hashed form, so neither overwrites the other.
 */
export function desiredCopies(ctx: PlanContext, consumer: string): Map<string, V1EndpointSlice> {
  const { namespace, name } = ctx.snapshot;
  const policy = ctx.active?.copies;
  const nameOf = policy?.copyName ?? dispatchedSliceName;
  const sources: { provider: string; slice: V1EndpointSlice; plain: string }[] = [];
  for (const provider of ctx.active?.sets.providers ?? []) {
    const member = ctx.members.get(provider);
    if ((provider === consumer && !policy?.includeOwn) || !member || !isLive(member)) continue;
    const slices = policy ? (member.sourceSlices ?? []) : member.endpointSlices;
    for (const slice of [...slices].sort(byName)) {
      if (!isCollectable(slice, provider, policy?.sourceService ?? name)) continue;
      sources.push({ provider, slice, plain: nameOf(provider, slice.metadata?.name ?? '', {}) });
    }
  }
  const count = new Map<string, number>();
  for (const s of sources) count.set(s.plain, (count.get(s.plain) ?? 0) + 1);
  const copies = new Map<string, V1EndpointSlice>();
  for (const s of sources) {
    const copyName =
      (count.get(s.plain) ?? 0) > 1
        ? nameOf(s.provider, s.slice.metadata?.name ?? '', { forceHash: true })
        : s.plain;
    const as = policy && { serviceName: name, labels: policy.labels, headless: policy.headless };
    const copy = sliceCopy(s.slice, s.provider, namespace, copyName, as);
    const leftOut = policy?.leftOutPorts?.(s.provider);
    if (leftOut) copy.ports = (copy.ports ?? []).filter((p) => !leftOut.has(p.name ?? ''));
    copies.set(copyName, copy);
  }
  return copies;
}

function expectedOf(slice: V1EndpointSlice): { uid?: string; resourceVersion?: string } {
  return { uid: slice.metadata?.uid, resourceVersion: slice.metadata?.resourceVersion };
}

/**
 * Why an owned copy that is not desired goes, or undefined when it must stay: it came from a
 * provider that is still one but is not ready or not synced, so whether its source still exists
 * is unknown (karmada#6255: an unreachable cluster keeps what it has).
 */
function withdrawReason(ctx: PlanContext, consumer: string, copy: V1EndpointSlice): string | undefined {
  if (!ctx.active) return ctx.withdrawReason;
  const { providers, consumers } = ctx.active.sets;
  if (!consumers.has(consumer)) return `${consumer} is no longer a consumer`;
  const source = sourceClusterOf(copy);
  if (source === undefined) return 'no source cluster';
  if (source === consumer && !ctx.active.copies?.includeOwn) return `copy of ${consumer}'s own endpoints`;
  if (!providers.has(source)) return `${source} is no longer a provider`;
  const provider = ctx.members.get(source);
  if (provider && !isLive(provider)) return undefined;
  return 'source slice deleted';
}

/**
 * For each member cluster that can be written now: creates or updates (on drift) the desired
 * copies, deletes our copies whose source is gone, keeps those of a provider that is not ready
 * (marking their endpoints not ready once it has been so longer than the grace period), and
 * never touches a slice that is not ours.
 */
export function planSlices(ctx: PlanContext): SlicePlan {
  const { namespace, name, unreadyGraceMs, now } = ctx.snapshot;
  const actions: EndpointSliceAction[] = [];
  const problems: Problem[] = [];
  const base = { kind: 'EndpointSlice' as const, namespace };
  for (const member of ctx.members.values()) {
    if (!isWritable(member)) continue;
    const cluster = member.name;
    const mine = member.endpointSlices.filter((s) => s.metadata?.labels?.[LABEL_SERVICE_NAME] === name);
    const owned = new Map(mine.filter(isOwnedSlice).map((s) => [s.metadata?.name ?? '', s]));
    const foreign = new Set(mine.filter((s) => !isOwnedSlice(s)).map((s) => s.metadata?.name));
    const desired = ctx.active?.sets.consumers.has(cluster) ? desiredCopies(ctx, cluster) : new Map();
    for (const [copyName, want] of desired) {
      const have = owned.get(copyName);
      if (foreign.has(copyName)) {
        problems.push({
          reason: 'EndpointSliceConflict',
          scope: 'slices',
          message: `EndpointSlice ${namespace}/${copyName} in ${cluster} is not managed by mcs-bridge and was left unchanged`,
        });
      } else if (!have) {
        actions.push({ ...base, cluster, name: copyName, verb: 'create', reason: 'missing', object: want });
      } else if (!isDeleting(have)) {
        const drift = sliceDrift(have, want);
        if (drift.length === 0) continue;
        const reason = `drift: ${drift.join(', ')}`;
        const expected = expectedOf(have);
        if (drift.includes('addressType')) {
          // addressType is immutable.
          actions.push({
            ...base,
            cluster,
            name: copyName,
            verb: 'delete',
            reason: `recreate, ${reason}`,
            expected,
            recreate: true,
          });
          actions.push({
            ...base,
            cluster,
            name: copyName,
            verb: 'create',
            reason: `recreate, ${reason}`,
            object: want,
          });
        } else {
          actions.push({ ...base, cluster, name: copyName, verb: 'update', reason, object: want, expected });
        }
      }
    }
    for (const [copyName, have] of owned) {
      if (desired.has(copyName) || isDeleting(have)) continue;
      const reason = withdrawReason(ctx, cluster, have);
      const expected = expectedOf(have);
      if (reason !== undefined) {
        actions.push({ ...base, cluster, name: copyName, verb: 'delete', reason, expected });
        continue;
      }
      const source = sourceClusterOf(have) ?? '';
      const provider = ctx.members.get(source);
      if (provider && isLost(provider, unreadyGraceMs, now) && hasReadyEndpoint(have)) {
        const policy = ctx.active?.copies;
        const as = policy && { serviceName: name, labels: policy.labels, headless: policy.headless };
        const object = markedNotReady(sliceCopy(have, source, namespace, copyName, as));
        const why = `${source} not ready for longer than the grace period`;
        actions.push({ ...base, cluster, name: copyName, verb: 'update', reason: why, object, expected });
      }
    }
  }
  return { actions, problems };
}
