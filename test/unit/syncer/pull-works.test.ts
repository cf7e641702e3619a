import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  ANNOTATION_WORK_APPLIED,
  ANNOTATION_WORK_REF,
  isOurWork,
  type KarmadaWorkObject,
  LABEL_EXPORTED_BY,
  objectFromWork,
  workFor,
  workName,
} from '../../../syncer/karmada/pull-works.ts';
import { isDnsSubdomain } from '../../../syncer/names.ts';
import { isOwnedSlice } from '../../../syncer/plan/slices.ts';

const serviceCopy = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: {
    name: 'nginx',
    namespace: 'default',
    labels: { 'app.kubernetes.io/managed-by': 'mcs-bridge', 'mcs-bridge.io/multiclusterservice': 'nginx' },
  },
  spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], selector: { app: 'nginx' } },
};

const sliceCopy = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    name: 'member1-nginx-abc',
    namespace: 'default',
    uid: 'u-1',
    resourceVersion: '41',
    labels: {
      'kubernetes.io/service-name': 'nginx',
      'endpointslice.kubernetes.io/managed-by': 'syncer.mcs-bridge.io',
      'multicluster.kubernetes.io/source-cluster': 'member1',
    },
    annotations: {
      'endpointslice.karmada.io/provision-cluster': 'member1',
      [ANNOTATION_WORK_APPLIED]: 'True',
      [ANNOTATION_WORK_REF]: 'karmada-es-member2/x',
    },
  },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.10.1.1'], conditions: { ready: true } }],
};

/** A Work as the hub stores it: the given one with a uid, resourceVersion and status. */
function stored(work: KarmadaWorkObject, status?: KarmadaWorkObject['status']): KarmadaWorkObject {
  return { ...work, metadata: { ...work.metadata, uid: 'w-1', resourceVersion: '77' }, status };
}

const manifests = (w: KarmadaWorkObject) => w.spec?.workload?.manifests ?? [];

describe('the name of the syncer’s Work', () => {
  const cases: {
    name: string;
    kind: 'Service' | 'EndpointSlice';
    ns: string;
    object: string;
    want?: string;
  }[] = [
    {
      name: 'a Service copy names kind, namespace and name',
      kind: 'Service',
      ns: 'default',
      object: 'nginx',
      want: 'mcs-bridge-service-default-nginx',
    },
    {
      name: 'a slice copy likewise',
      kind: 'EndpointSlice',
      ns: 'web',
      object: 'member1-nginx-abc',
      want: 'mcs-bridge-endpointslice-web-member1-nginx-abc',
    },
    {
      name: 'a name past 253 characters is shortened with a hash',
      kind: 'EndpointSlice',
      ns: 'web',
      object: `m1-${'a'.repeat(250)}`,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = workName(c.kind, c.ns, c.object);
      if (c.want) assert.equal(got, c.want);
      assert.ok(isDnsSubdomain(got), `${got} is a DNS-1123 subdomain`);
    });
  }

  it('two long names that share their first 200 characters get two Works', () => {
    const a = workName('EndpointSlice', 'web', `${'a'.repeat(260)}1`);
    const b = workName('EndpointSlice', 'web', `${'a'.repeat(260)}2`);
    assert.notEqual(a, b);
  });
});

describe('a Work of the syncer', () => {
  it('carries a Service copy with a ServiceExport marked as mcs-bridge’s, in the member’s execution space', () => {
    const w = workFor('member2', 'Service', serviceCopy);
    assert.equal(w.metadata?.namespace, 'karmada-es-member2');
    assert.equal(w.metadata?.name, 'mcs-bridge-service-default-nginx');
    assert.ok(isOurWork(w));
    assert.deepEqual(
      manifests(w).map((m) => m.kind),
      ['Service', 'ServiceExport'],
    );
    const exported = manifests(w)[1] as KubernetesObject;
    assert.equal(exported.apiVersion, 'multicluster.x-k8s.io/v1alpha1');
    assert.deepEqual(exported.metadata, {
      name: 'nginx',
      namespace: 'default',
      labels: { [LABEL_EXPORTED_BY]: 'mcs-bridge', 'karmada.io/managed': 'true' },
    });
  });

  it('carries a slice copy labelled as Karmada’s dispatcher’s, which the agent does not report back (karmada#6522)', () => {
    const m = manifests(workFor('member2', 'EndpointSlice', sliceCopy))[0] as KubernetesObject;
    assert.equal(
      m.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'],
      'endpointslice-dispatch-controller.karmada.io',
    );
  });

  it('labels every manifest as Karmada-managed, without which the agent neither updates nor deletes what it applied', () => {
    for (const w of [
      workFor('member2', 'Service', serviceCopy),
      workFor('member2', 'EndpointSlice', sliceCopy),
    ])
      for (const m of manifests(w))
        assert.equal(
          (m as KubernetesObject).metadata?.labels?.['karmada.io/managed'],
          'true',
          String(m.kind),
        );
    const back = objectFromWork(stored(workFor('member2', 'Service', serviceCopy)), 'Service');
    assert.equal(
      back?.metadata?.labels?.['karmada.io/managed'],
      undefined,
      'not read back as Karmada’s copy',
    );
  });

  it('leaves out what the server sets and what the syncer reads back', () => {
    const m = manifests(workFor('member2', 'EndpointSlice', sliceCopy))[0] as KubernetesObject;
    assert.equal(m.metadata?.uid, undefined);
    assert.equal(m.metadata?.resourceVersion, undefined);
    assert.deepEqual(m.metadata?.annotations, { 'endpointslice.karmada.io/provision-cluster': 'member1' });
  });

  it('keeps the execution controller’s finalizer on, so the agent removes what it applied before the Work goes', () => {
    for (const w of [
      workFor('member2', 'Service', serviceCopy),
      workFor('member2', 'EndpointSlice', sliceCopy, '41'),
    ])
      assert.deepEqual(w.metadata?.finalizers, ['karmada.io/execution-controller']);
  });

  it('guards a replace with the resourceVersion it was read at', () => {
    assert.equal(workFor('member2', 'EndpointSlice', sliceCopy, '41').metadata?.resourceVersion, '41');
  });
});

describe('reading a member object back from a Work', () => {
  it('gives back the slice copy as the planner wrote it, with the Work’s uid, version and Applied state', () => {
    const work = stored(workFor('member2', 'EndpointSlice', sliceCopy), {
      conditions: [
        {
          type: 'Applied',
          status: 'True',
          reason: 'AppliedSuccessful',
          message: '',
          lastTransitionTime: new Date(),
        },
      ],
    });
    const o = objectFromWork(work, 'EndpointSlice');
    assert.ok(o && isOwnedSlice(o as never));
    assert.equal(o.metadata?.uid, 'w-1');
    assert.equal(o.metadata?.resourceVersion, '77');
    assert.equal(o.metadata?.annotations?.[ANNOTATION_WORK_APPLIED], 'True');
    assert.equal(
      o.metadata?.annotations?.[ANNOTATION_WORK_REF],
      'karmada-es-member2/mcs-bridge-endpointslice-default-member1-nginx-abc',
    );
  });

  it('carries the agent’s message when it refused the Work', () => {
    const work = stored(workFor('member2', 'Service', serviceCopy), {
      conditions: [
        {
          type: 'Applied',
          status: 'False',
          reason: 'AppliedFailed',
          message: 'no matches for kind "ServiceExport"',
          lastTransitionTime: new Date(),
        },
      ],
    });
    assert.equal(
      objectFromWork(work, 'Service')?.metadata?.annotations?.[ANNOTATION_WORK_APPLIED],
      'False: no matches for kind "ServiceExport"',
    );
  });

  it('says nothing of the Applied state before the agent reported', () => {
    const o = objectFromWork(stored(workFor('member2', 'Service', serviceCopy)), 'Service');
    assert.equal(o?.metadata?.annotations?.[ANNOTATION_WORK_APPLIED], undefined);
  });

  it('gives a provider’s slice from the agent’s serviceExport report, as a source', () => {
    const report: KarmadaWorkObject = {
      metadata: {
        name: 'nginx-abc-5f7d',
        namespace: 'karmada-es-member1',
        uid: 'r-1',
        resourceVersion: '90',
        labels: {
          'endpointslice.karmada.io/managed-by': 'ServiceExport',
          'endpointslice.karmada.io/name': 'nginx',
          'endpointslice.karmada.io/namespace': 'default',
        },
      },
      spec: {
        workload: {
          manifests: [
            {
              apiVersion: 'discovery.k8s.io/v1',
              kind: 'EndpointSlice',
              metadata: {
                name: 'nginx-abc',
                namespace: 'default',
                labels: {
                  'kubernetes.io/service-name': 'nginx',
                  'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
                },
              },
              addressType: 'IPv4',
              endpoints: [{ addresses: ['10.10.1.5'] }],
            },
          ],
        },
      },
    };
    const o = objectFromWork(report, 'EndpointSlice');
    assert.equal(o?.metadata?.name, 'nginx-abc');
    assert.equal(o?.metadata?.resourceVersion, '90');
    assert.ok(o && !isOwnedSlice(o as never));
    assert.equal(objectFromWork(report, 'Service'), undefined);
  });

  const ignored: { name: string; work: KarmadaWorkObject }[] = [
    {
      name: 'a Work Karmada made for a Deployment',
      work: {
        metadata: { name: 'nginx-687f7fb96f', labels: {} },
        spec: { workload: { manifests: [{ kind: 'Deployment' }] } },
      },
    },
    {
      name: 'a Work of Karmada’s own MultiClusterService collector',
      work: {
        metadata: {
          name: 'nginx-abc-1',
          labels: { 'endpointslice.karmada.io/managed-by': 'MultiClusterService' },
        },
        spec: { workload: { manifests: [{ kind: 'EndpointSlice', metadata: { name: 'nginx-abc' } }] } },
      },
    },
  ];
  for (const c of ignored) {
    it(`ignores ${c.name}`, () => {
      assert.equal(objectFromWork(c.work, 'EndpointSlice'), undefined);
      assert.equal(objectFromWork(c.work, 'Service'), undefined);
    });
  }
});
