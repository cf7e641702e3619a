/**
 * What the member clusters themselves saw being written: a watch of the Services and
 * EndpointSlices of a namespace in each member, recording every change of the syncer's own
 * objects (by their ownership labels) with the time it arrived. Counting these against the
 * writes a syncer says it made tells, from the members' side, whether anyone else wrote.
 */
import { CoreV1Api, DiscoveryV1Api, type KubernetesObject, Watch } from '@kubernetes/client-node';
import type { ClusterName } from '../../sandbox/layout.ts';
import type { Sandbox } from '../../sandbox/sandbox.ts';

/** One change of one of the syncer's objects, as a member's watch delivered it. */
export interface MemberWrite {
  at: number;
  cluster: ClusterName;
  kind: 'Service' | 'EndpointSlice';
  type: string;
  name: string;
  resourceVersion: string;
  /** The Service's ports, or the slice's endpoint addresses. */
  content: string;
}

type Owned = KubernetesObject & {
  spec?: { ports?: { port: number }[] };
  endpoints?: { addresses: string[] }[];
};

function isOurs(o: Owned): boolean {
  const labels = o.metadata?.labels ?? {};
  return (
    labels['app.kubernetes.io/managed-by'] === 'mcs-bridge' ||
    labels['endpointslice.kubernetes.io/managed-by'] === 'syncer.mcs-bridge.io'
  );
}

/** Starts recording in `clusters`; `stop()` ends the watches. Resolves once every watch is open. */
export async function recordMemberWrites(
  sb: Sandbox,
  clusters: readonly ClusterName[],
  namespace: string,
): Promise<{ writes: MemberWrite[]; stop: () => void }> {
  const writes: MemberWrite[] = [];
  const controllers: AbortController[] = [];
  for (const cluster of clusters) {
    const kc = sb.kubeConfig(cluster);
    // Only what happens from now on: each watch starts at the resourceVersion of a list.
    const kinds = [
      {
        kind: 'Service' as const,
        path: `/api/v1/namespaces/${namespace}/services`,
        from: (await kc.makeApiClient(CoreV1Api).listNamespacedService({ namespace })).metadata
          ?.resourceVersion,
      },
      {
        kind: 'EndpointSlice' as const,
        path: `/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`,
        from: (await kc.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace })).metadata
          ?.resourceVersion,
      },
    ];
    for (const { kind, path, from } of kinds) {
      const controller = await new Watch(kc).watch(
        path,
        { resourceVersion: from },
        (type, o: Owned) => {
          if (!isOurs(o)) return;
          writes.push({
            at: Date.now(),
            cluster,
            kind,
            type,
            name: o.metadata?.name ?? '',
            resourceVersion: o.metadata?.resourceVersion ?? '',
            content:
              kind === 'Service'
                ? (o.spec?.ports ?? []).map((p) => p.port).join(',')
                : (o.endpoints ?? []).flatMap((e) => e.addresses).join(','),
          });
        },
        () => {},
      );
      controllers.push(controller);
    }
  }
  return {
    writes,
    stop: () => {
      for (const c of controllers) c.abort();
    },
  };
}
