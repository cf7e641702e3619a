/**
 * The hub writes that hand a Pull-mode member's objects between Karmada's Works and mcs-bridge's
 * without its karmada-agent deleting them (karmada/pull-handover.ts says why): a Work loses the
 * execution controller's finalizer before it is deleted. The coexistence engine calls these
 * when carrying out a stand-down (our Works withdrawn) and a takeover's release (the Service
 * binding's Works orphaned; the MCS path's Works are released by the engine itself).
 */
import type { Logger } from 'pino';
import { describeApiError, httpCode } from '../../lib/kube-errors.ts';
import type { Withdrawal } from '../karmada/decide.ts';
import { KARMADA_WORK, LABEL_BINDING_PERMANENT_ID } from '../karmada/facts.ts';
import { bindingWorksToOrphan, finalizersAfterRelease, type ListedWork } from '../karmada/pull-handover.ts';
import { executionSpace, FINALIZER_EXECUTION, workName } from '../karmada/pull-works.ts';
import type { KubeClient } from '../kube/cluster-client.ts';

const MERGE_PATCH = 'application/merge-patch+json';
const LIST_TIMEOUT_MS = 15_000;

/** What the writes need: the hub, its guarded writer (a 404 is done; others throw naming `what`), the log. */
export interface PullHandoverIo {
  readonly hub: KubeClient;
  readonly logger: Logger;
  readonly write: (what: string, r: Parameters<KubeClient['request']>[1]) => Promise<void>;
}

function workPath(namespace: string, name: string): string {
  const { group, version, plural } = KARMADA_WORK;
  return `/apis/${group}/${version}/namespaces/${encodeURIComponent(namespace)}/${plural}/${encodeURIComponent(name)}`;
}

/**
 * Withdraws a Work of ours from a Pull member while the object it holds stays for Karmada's
 * Work: the execution finalizer first, then the Work (guarded by its uid). The finalizer goes
 * by a read and a replace, as the chart grants on our own Works (get, update; no patch).
 */
export async function withdrawOurWork(io: PullHandoverIo, key: string, x: Withdrawal): Promise<void> {
  const meta = x.object.metadata ?? {};
  const space = executionSpace(x.cluster);
  const name = workName(x.kind, meta.namespace ?? '', meta.name ?? '');
  const path = workPath(space, name);
  const ref = `Work ${space}/${name}`;
  let work: ListedWork & { metadata?: { uid?: string } };
  try {
    work = await io.hub.request('get', { method: 'GET', path, timeoutMs: LIST_TIMEOUT_MS });
  } catch (err) {
    if (httpCode(err) === 404) return; // already gone
    throw Object.assign(new Error(`cannot read ${ref} on the hub: ${describeApiError(err)}`), {
      statusCode: httpCode(err),
    });
  }
  if (work.metadata?.uid !== meta.uid) return; // another Work of that name: not the one read
  const finalizers = finalizersAfterRelease(work.metadata?.finalizers ?? [], true);
  if (finalizers) {
    await io.write(`remove ${FINALIZER_EXECUTION} from ${ref}`, {
      method: 'PUT',
      path,
      body: { ...work, metadata: { ...work.metadata, finalizers } },
    });
  }
  await io.write(`delete ${ref}`, { method: 'DELETE', path, body: { preconditions: { uid: meta.uid } } });
  io.logger.info(
    { mcs: key, cluster: x.cluster },
    `hand back ${x.kind} ${meta.namespace}/${meta.name} in ${x.cluster}: withdrew ${ref}; the object stays for Karmada's Work`,
  );
}

/**
 * Takes the execution finalizer off the Works of a ResourceBinding (`ref`, permanent id `id`)
 * in the execution spaces of `orphanIn`, before the binding is deleted: Karmada's binding
 * controller then deletes those Works and the agents leave the Service copies in place.
 */
export async function orphanBindingWorks(
  io: PullHandoverIo,
  ref: string,
  id: string,
  orphanIn: readonly string[],
): Promise<void> {
  const { group, version, plural } = KARMADA_WORK;
  let list: { items?: ListedWork[] };
  try {
    list = await io.hub.request('list', {
      method: 'GET',
      path: `/apis/${group}/${version}/${plural}`,
      query: { labelSelector: `${LABEL_BINDING_PERMANENT_ID}=${id}` },
      timeoutMs: LIST_TIMEOUT_MS,
    });
  } catch (err) {
    throw Object.assign(
      new Error(`cannot list the Works of ResourceBinding ${ref} on the hub: ${describeApiError(err)}`),
      { statusCode: httpCode(err) },
    );
  }
  for (const w of bindingWorksToOrphan(list.items ?? [], orphanIn)) {
    const namespace = w.metadata?.namespace ?? '';
    const name = w.metadata?.name ?? '';
    await io.write(`remove ${FINALIZER_EXECUTION} from Work ${namespace}/${name}`, {
      method: 'PATCH',
      path: workPath(namespace, name),
      contentType: MERGE_PATCH,
      body: {
        metadata: {
          finalizers: finalizersAfterRelease(w.metadata?.finalizers ?? [], true) ?? [],
          resourceVersion: w.metadata?.resourceVersion,
        },
      },
    });
  }
}
