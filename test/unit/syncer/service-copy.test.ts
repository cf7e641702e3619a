import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Service, V1ServiceSpec } from '@kubernetes/client-node';
import { serviceCopy, serviceDrift } from '../../../syncer/plan/service.ts';
import { hubService, NS, SVC, served } from './fixtures.ts';

function copyOf(spec: Partial<V1ServiceSpec> = {}): V1Service {
  const result = serviceCopy(hubService(spec), NS, SVC);
  if (!result.ok) throw new Error(result.message);
  return result.object;
}

describe('the Service copy', () => {
  it("holds the seed's Service with our labels and none of the hub's allocations", () => {
    assert.deepEqual(copyOf(), {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'nginx',
        namespace: 'default',
        labels: {
          'app.kubernetes.io/managed-by': 'mcs-bridge',
          'mcs-bridge.io/multiclusterservice': 'nginx',
        },
      },
      spec: {
        type: 'ClusterIP',
        ports: [{ port: 80, targetPort: 80, protocol: 'TCP' }],
        selector: { app: 'nginx' },
        sessionAffinity: 'None',
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
      },
    });
  });

  it('copies every field it owns and no node port, external IP or load-balancer field', () => {
    const spec = copyOf({
      type: 'LoadBalancer',
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 'web', appProtocol: 'http', nodePort: 30080 },
      ],
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      publishNotReadyAddresses: true,
      internalTrafficPolicy: 'Local',
      trafficDistribution: 'PreferClose',
      externalIPs: ['192.0.2.1'],
      externalTrafficPolicy: 'Local',
      loadBalancerSourceRanges: ['0.0.0.0/0'],
      healthCheckNodePort: 31000,
      ipFamilyPolicy: 'RequireDualStack',
      ipFamilies: ['IPv6', 'IPv4'],
    }).spec;
    assert.deepEqual(spec, {
      type: 'ClusterIP',
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 'web', appProtocol: 'http' }],
      selector: { app: 'nginx' },
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } },
      publishNotReadyAddresses: true,
      ipFamilyPolicy: 'RequireDualStack',
      ipFamilies: ['IPv6', 'IPv4'],
      internalTrafficPolicy: 'Local',
      trafficDistribution: 'PreferClose',
    });
  });

  it('says which type it converted from, for NodePort and LoadBalancer', () => {
    for (const type of ['NodePort', 'LoadBalancer']) {
      const result = serviceCopy(hubService({ type }), NS, SVC);
      assert.ok(result.ok && result.convertedFrom === type && result.object.spec?.type === 'ClusterIP');
    }
  });

  it('keeps a headless Service headless', () => {
    assert.equal(copyOf({ clusterIP: 'None' }).spec?.clusterIP, 'None');
  });

  it("leaves the IP families to each member under SingleStack, since the hub's are its own default", () => {
    assert.equal(copyOf({ ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' }).spec?.ipFamilies, undefined);
  });

  it('refuses an ExternalName Service, which has no endpoints', () => {
    const result = serviceCopy(hubService({ type: 'ExternalName', externalName: 'example.com' }), NS, SVC);
    assert.deepEqual(result, {
      ok: false,
      message: 'Service default/nginx is of type ExternalName, which has no endpoints',
    });
  });

  it('does not share objects with the hub Service it was made from', () => {
    const hub = hubService({
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } },
    });
    const result = serviceCopy(hub, NS, SVC);
    assert.ok(result.ok);
    assert.notEqual(result.object.spec?.selector, hub.spec?.selector);
    assert.notEqual(result.object.spec?.sessionAffinityConfig, hub.spec?.sessionAffinityConfig);
  });
});

describe('drift of a Service copy', () => {
  it('sees none in a copy as the member API server returns it (clusterIP, IP families, defaults)', () => {
    for (const spec of [{}, { clusterIP: 'None' }, { sessionAffinity: 'ClientIP' }, { type: 'NodePort' }]) {
      const desired = copyOf(spec);
      const existing = served.service(desired, '10.97.0.20', 'IPv6');
      assert.deepEqual(
        serviceDrift(existing, desired),
        { fields: [], immutable: false },
        JSON.stringify(spec),
      );
    }
  });

  const cases: { name: string; change: (s: V1Service) => void; fields: string[]; immutable?: boolean }[] = [
    {
      name: 'a port changed',
      change: (s) => Object.assign(s.spec?.ports?.[0] ?? {}, { port: 81 }),
      fields: ['spec.ports'],
    },
    { name: 'a port added', change: (s) => s.spec?.ports?.push({ port: 443 }), fields: ['spec.ports'] },
    {
      name: 'the selector changed',
      change: (s) => Object.assign(s, { spec: { ...s.spec, selector: { app: 'x' } } }),
      fields: ['spec.selector'],
    },
    {
      name: 'our MCS label removed',
      change: (s) => delete s.metadata?.labels?.['mcs-bridge.io/multiclusterservice'],
      fields: ['metadata.labels'],
    },
    {
      name: 'the type set to NodePort',
      change: (s) => Object.assign(s.spec ?? {}, { type: 'NodePort' }),
      fields: ['spec.type'],
    },
    {
      name: 'session affinity turned on',
      change: (s) => Object.assign(s.spec ?? {}, { sessionAffinity: 'ClientIP' }),
      fields: ['spec.sessionAffinity'],
    },
    {
      name: 'publishNotReadyAddresses set',
      change: (s) => Object.assign(s.spec ?? {}, { publishNotReadyAddresses: true }),
      fields: ['spec.publishNotReadyAddresses'],
    },
    {
      name: 'trafficDistribution added',
      change: (s) => Object.assign(s.spec ?? {}, { trafficDistribution: 'PreferClose' }),
      fields: ['spec.trafficDistribution'],
    },
    {
      name: 'made headless',
      change: (s) => Object.assign(s.spec ?? {}, { clusterIP: 'None' }),
      fields: ['spec.clusterIP'],
      immutable: true,
    },
  ];
  for (const c of cases) {
    it(`reports ${c.fields.join(', ')} when ${c.name}`, () => {
      const desired = copyOf();
      const existing = served.service(desired, '10.97.0.20');
      c.change(existing);
      assert.deepEqual(serviceDrift(existing, desired), {
        fields: c.fields,
        immutable: c.immutable ?? false,
      });
    });
  }

  it('ignores labels and fields that others add to our copy', () => {
    const desired = copyOf();
    const existing = served.service(desired, '10.97.0.20');
    Object.assign(existing.metadata?.labels ?? {}, { team: 'web' });
    Object.assign(existing.spec ?? {}, { externalIPs: ['192.0.2.9'] });
    assert.deepEqual(serviceDrift(existing, desired).fields, []);
  });

  it('accepts a single family under PreferDualStack, as a single-stack member keeps only the primary', () => {
    const desired = copyOf({ ipFamilyPolicy: 'PreferDualStack', ipFamilies: ['IPv4', 'IPv6'] });
    const existing = served.service(
      { ...desired, spec: { ...desired.spec, ipFamilies: ['IPv4'] } },
      '10.97.0.20',
    );
    assert.deepEqual(serviceDrift(existing, desired), { fields: [], immutable: false });
  });

  it('re-creates when the primary IP family must change, updates when a required secondary is missing', () => {
    const desired = copyOf({ ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'] });
    const v4first = served.service(
      { ...desired, spec: { ...desired.spec, ipFamilies: ['IPv4'] } },
      '10.97.0.20',
    );
    assert.deepEqual(serviceDrift(v4first, desired), { fields: ['spec.ipFamilies'], immutable: true });
    const v6only = served.service(
      { ...desired, spec: { ...desired.spec, ipFamilies: ['IPv6'] } },
      'fd00::20',
    );
    assert.deepEqual(serviceDrift(v6only, desired), { fields: ['spec.ipFamilies'], immutable: false });
  });
});
