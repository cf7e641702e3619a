/**
 * AdmissionReview bodies as kube-apiserver sends them for `kubectl apply` of the seed's
 * MultiClusterService: managedFields, the last-applied annotation, userInfo and options included,
 * so the server parses as many bytes as it would in a cluster.
 */

const GVK = { group: 'networking.karmada.io', version: 'v1alpha1', kind: 'MultiClusterService' };
const GVR = { group: 'networking.karmada.io', version: 'v1alpha1', resource: 'multiclusterservices' };
const SPEC = {
  types: ['CrossCluster'],
  consumerClusters: [{ name: 'member2' }],
  providerClusters: [{ name: 'member1' }],
};

function seedObject(labels?: Record<string, string>) {
  const lastApplied = {
    apiVersion: 'networking.karmada.io/v1alpha1',
    kind: 'MultiClusterService',
    metadata: { annotations: {}, name: 'nginx', namespace: 'default' },
    spec: SPEC,
  };
  return {
    apiVersion: 'networking.karmada.io/v1alpha1',
    kind: 'MultiClusterService',
    metadata: {
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(lastApplied)}\n` },
      ...(labels ? { labels } : {}),
      managedFields: [
        {
          apiVersion: 'networking.karmada.io/v1alpha1',
          fieldsType: 'FieldsV1',
          fieldsV1: {
            'f:metadata': {
              'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
            },
            'f:spec': { '.': {}, 'f:consumerClusters': {}, 'f:providerClusters': {}, 'f:types': {} },
          },
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          time: '2025-01-01T00:00:00Z',
        },
      ],
      name: 'nginx',
      namespace: 'default',
    },
    spec: SPEC,
  };
}

function createReview(uid: string, object: unknown): string {
  return JSON.stringify({
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid,
      kind: GVK,
      resource: GVR,
      requestKind: GVK,
      requestResource: GVR,
      name: 'nginx',
      namespace: 'default',
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: {
        kind: 'CreateOptions',
        apiVersion: 'meta.k8s.io/v1',
        fieldManager: 'kubectl-client-side-apply',
        fieldValidation: 'Strict',
      },
    },
  });
}

/** What the mutating webhook is asked: the seed's object as kubectl sends it, no permanent id yet. */
export const MUTATE_REVIEW = createReview('b0a7a0a4-7c8e-4b0e-9d53-0f3c2a1d5e01', seedObject());

/** What the validating webhook is asked: the same object after defaulting, with its permanent id. */
export const VALIDATE_REVIEW = createReview(
  'b0a7a0a4-7c8e-4b0e-9d53-0f3c2a1d5e02',
  seedObject({ 'multiclusterservice.karmada.io/permanent-id': '2f4c6a8e-1b3d-4f5a-8c7e-9d0b1a2c3e4f' }),
);
