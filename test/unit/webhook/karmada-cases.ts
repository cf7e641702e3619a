/**
 * Which writes Karmada v1.18.2's MultiClusterService webhooks accept, and which ours accept: the
 * table that decides mcs-bridge's compatibility. Each case is one CREATE or UPDATE as the API
 * server sends it to the mutating webhook, then (patched) to the validating one.
 *
 * The `karmada` column was read from Karmada's code (pkg/webhook/multiclusterservice) and is
 * checked against that code itself by test/e2e/karmada-webhook-parity.test.ts; the `ours` column
 * by karmada-compat.test.ts. The rule: whatever Karmada accepts, we accept. Where we accept what
 * Karmada refuses, `difference` says why.
 */

const PERMANENT_ID = 'multiclusterservice.karmada.io/permanent-id';
const FORTY_NINE = 'a'.repeat(49);

/** A decision of a whole webhook chain. */
export type Decision = 'accepts' | 'refuses';

/** One write and what each implementation decides. */
export interface CompatCase {
  name: string;
  operation: 'CREATE' | 'UPDATE';
  object: Record<string, unknown>;
  /** UPDATE: the object as stored. */
  oldObject?: Record<string, unknown>;
  karmada: Decision;
  ours: Decision;
  /** Where ours accepts what Karmada refuses: why (docs/migrating-from-karmada.md, Differences from Karmada's webhook). */
  difference?: string;
  /** Where both refuse with the same words: the message of both refusals. */
  message?: string;
}

/** A MultiClusterService as a client sends it. */
function sent(spec: Record<string, unknown>, name = 'nginx'): Record<string, unknown> {
  return {
    apiVersion: 'networking.karmada.io/v1alpha1',
    kind: 'MultiClusterService',
    metadata: { name, namespace: 'default' },
    spec: { types: ['CrossCluster'], ...spec },
  };
}

/**
 * A MultiClusterService as Karmada's chain stored it: its permanent id, `range: {}` (Karmada's
 * mutating webhook writes the struct back whole), a resourceVersion, and any extra labels.
 */
function stored(spec: Record<string, unknown>, labels: Record<string, string> = {}) {
  const object = sent({ range: {}, ...spec });
  object.metadata = {
    name: 'nginx',
    namespace: 'default',
    resourceVersion: '7',
    uid: '8c4b7a52-0d52-4a39-9b5e-1f0c2d3e4f50',
    labels: { [PERMANENT_ID]: '2d3c4b5a-6978-4a1b-8c2d-3e4f5a6b7c8d', ...labels },
  };
  return object;
}

/** A label-only UPDATE of what was stored: the same object with one more label. */
function labelOnly(spec: Record<string, unknown>): Pick<CompatCase, 'operation' | 'object' | 'oldObject'> {
  return { operation: 'UPDATE', oldObject: stored(spec), object: stored(spec, { team: 'web' }) };
}

export const COMPAT_CASES: CompatCase[] = [
  {
    name: 'a new MCS whose serviceProvisionClusters holds a 49-character name is accepted by both',
    operation: 'CREATE',
    object: sent({ serviceProvisionClusters: [FORTY_NINE] }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'a new MCS whose serviceConsumptionClusters holds a name in capitals is accepted by both',
    operation: 'CREATE',
    object: sent({ serviceConsumptionClusters: ['Member2'] }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'a new MCS whose range.clusterNames holds an empty name and a control character is accepted by both',
    operation: 'CREATE',
    object: sent({ range: { clusterNames: ['', 'h\x01'] } }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'a new MCS whose serviceProvisionClusters holds null (Karmada reads "") is accepted by both',
    operation: 'CREATE',
    object: sent({ serviceProvisionClusters: [null] }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'a new MCS whose deprecated fields name real clusters is accepted by both',
    operation: 'CREATE',
    object: sent({ serviceProvisionClusters: ['member1'], range: { clusterNames: ['member2'] } }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'a new MCS whose serviceProvisionClusters holds a number is refused by both',
    operation: 'CREATE',
    object: sent({ serviceProvisionClusters: [1] }),
    karmada: 'refuses',
    ours: 'refuses',
  },
  {
    name: 'a new MCS whose providerClusters holds a 49-character name is refused by both',
    operation: 'CREATE',
    object: sent({ providerClusters: [{ name: FORTY_NINE }] }),
    karmada: 'refuses',
    ours: 'refuses',
  },
  {
    name: 'a new MCS with two distinct types, one with HTML characters, is refused by both, in the same words (a type is shown as json.Marshal shows a named string)',
    operation: 'CREATE',
    object: sent({ types: ['CrossCluster', '<LB>'] }),
    karmada: 'refuses',
    ours: 'refuses',
    message:
      '[spec.types[1]: Invalid value: "\\u003cLB\\u003e": ExposureType Error, spec.types: Invalid value: ["CrossCluster","\\u003cLB\\u003e"]: MultiClusterService types should not contain more than one type]',
  },
  {
    name: 'a new MCS whose consumerClusters holds a name in capitals is refused by both',
    operation: 'CREATE',
    object: sent({ consumerClusters: [{ name: 'Member2' }] }),
    karmada: 'refuses',
    ours: 'refuses',
  },
  {
    name: 'a new MCS with port -1 is refused by both, in the same words',
    operation: 'CREATE',
    object: sent({ ports: [{ port: -1 }] }),
    karmada: 'refuses',
    ours: 'refuses',
    message: 'spec.ports[0].port: Invalid value: -1: must be between 1 and 65535, inclusive',
  },
  {
    name: 'a new MCS with port 2147483648, beyond int32, is refused by both',
    operation: 'CREATE',
    object: sent({ ports: [{ port: 2147483648 }] }),
    karmada: 'refuses',
    ours: 'refuses',
  },
  {
    name: 'a new MCS with port 80.5 is refused by both',
    operation: 'CREATE',
    object: sent({ ports: [{ port: 80.5 }] }),
    karmada: 'refuses',
    ours: 'refuses',
  },
  {
    name: 'a new MCS with port "80", a string, is refused by both',
    operation: 'CREATE',
    object: sent({ ports: [{ port: '80' }] }),
    karmada: 'refuses',
    ours: 'refuses',
  },
  {
    name: 'a label-only UPDATE of an MCS stored with a 49-character name in serviceProvisionClusters is accepted by both',
    ...labelOnly({ serviceProvisionClusters: [FORTY_NINE] }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'a label-only UPDATE of an MCS stored with bad names in both deprecated consumer fields is accepted by both',
    ...labelOnly({
      serviceConsumptionClusters: ['Member2'],
      range: { clusterNames: [FORTY_NINE, 'member3'] },
    }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'a label-only UPDATE of an MCS stored with the "" Karmada made of a null is accepted by both',
    ...labelOnly({ serviceProvisionClusters: [''] }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'an UPDATE that adds a port to an MCS stored with a 49-character deprecated name is accepted by both',
    operation: 'UPDATE',
    oldObject: stored({ serviceConsumptionClusters: [FORTY_NINE] }),
    object: stored({ serviceConsumptionClusters: [FORTY_NINE], ports: [{ port: 80 }] }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'a label-only UPDATE of an MCS stored with empty types is accepted by both',
    ...labelOnly({ types: [] }),
    karmada: 'accepts',
    ours: 'accepts',
  },
  {
    name: 'an UPDATE that changes the type is refused by both, in the same words',
    operation: 'UPDATE',
    oldObject: stored({}),
    object: stored({ types: ['LoadBalancer'] }),
    karmada: 'refuses',
    ours: 'refuses',
    message: 'spec.types: Invalid value: ["CrossCluster"]: MultiClusterService types are immutable',
  },
  {
    name: 'an UPDATE that adds a 49-character providerClusters name is refused by both',
    operation: 'UPDATE',
    oldObject: stored({}),
    object: stored({ providerClusters: [{ name: FORTY_NINE }] }),
    karmada: 'refuses',
    ours: 'refuses',
  },
  {
    name: 'a label-only UPDATE of an MCS stored past every webhook with a 49-character providerClusters name is accepted by ours only',
    ...labelOnly({ providerClusters: [{ name: FORTY_NINE }] }),
    karmada: 'refuses',
    ours: 'accepts',
    difference:
      'an unchanged spec is not validated again (as Kubernetes ratchets CRD schemas), so finalizers and labels of an old object can always change',
  },
  {
    name: 'an UPDATE that repeats the same type is accepted by ours only',
    operation: 'UPDATE',
    oldObject: stored({ types: ['CrossCluster'] }),
    object: stored({ types: ['CrossCluster', 'CrossCluster'] }),
    karmada: 'refuses',
    ours: 'accepts',
    difference: 'types are compared as a set: repeating or reordering the same type is no change of type',
  },
];

/** The AdmissionReview the API server sends for a case (to the mutating webhook). */
export function reviewOf(c: CompatCase, uid: string): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'networking.karmada.io', version: 'v1alpha1', kind: 'MultiClusterService' },
      resource: { group: 'networking.karmada.io', version: 'v1alpha1', resource: 'multiclusterservices' },
      name: 'nginx',
      namespace: 'default',
      operation: c.operation,
      userInfo: { username: 'kubernetes-admin' },
      object: c.object,
      ...(c.oldObject ? { oldObject: c.oldObject } : {}),
    },
  };
}
