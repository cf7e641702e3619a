import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadYaml } from '@kubernetes/client-node';
import { MULTI_CLUSTER_SERVICE_SCHEMA } from '../../../webhook/rules/validate-schema.ts';

const CRD_FILE = new URL(
  '../../../charts/mcs-bridge/crds/networking.karmada.io_multiclusterservices.yaml',
  import.meta.url,
);

interface Schema {
  type?: string;
  required?: string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  [key: string]: unknown;
}

interface Crd {
  metadata: { name: string };
  spec: {
    group: string;
    scope: string;
    names: { kind: string; plural: string; singular: string; shortNames: string[]; categories: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns: { name: string; type: string; jsonPath: string; priority?: number }[];
      schema: { openAPIV3Schema: Schema };
    }[];
  };
}

/** Gives back the JSON names client-node's model renames (x_kubernetes_list_type, _enum), at any depth. */
function jsonNames(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonNames);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [
      k === '_enum' ? 'enum' : k.startsWith('x_kubernetes_') ? k.replaceAll('_', '-') : k,
      jsonNames(v),
    ]),
  );
}

// loadYaml decodes into client-node's V1CustomResourceDefinition model, so the file must be a
// well-formed CRD; the JSON round trip makes plain objects of its class instances.
const crd = jsonNames(JSON.parse(JSON.stringify(loadYaml(readFileSync(CRD_FILE, 'utf8'))))) as Crd;
const version = crd.spec.versions[0];
const root = version?.schema.openAPIV3Schema ?? {};
const spec = root.properties?.spec ?? {};

/** The field tree of a schema: property names and item shapes, nothing else. */
function fields(schema: Schema): unknown {
  if (schema.type === 'array') return [schema.items ? fields(schema.items) : null];
  if (schema.properties) {
    return Object.fromEntries(
      Object.keys(schema.properties)
        .sort()
        .map((k) => [k, fields(schema.properties?.[k] ?? {})]),
    );
  }
  return schema.type;
}

describe('the MultiClusterService CRD', () => {
  it("has Karmada's names, namespaced, with the short name mcs", () => {
    assert.equal(crd.metadata.name, 'multiclusterservices.networking.karmada.io');
    assert.equal(crd.spec.group, 'networking.karmada.io');
    assert.equal(crd.spec.scope, 'Namespaced');
    assert.deepEqual(crd.spec.names, {
      kind: 'MultiClusterService',
      listKind: 'MultiClusterServiceList',
      plural: 'multiclusterservices',
      singular: 'multiclusterservice',
      shortNames: ['mcs'],
      categories: ['karmada-io'],
    });
  });

  it('serves and stores v1alpha1 only, with a status subresource', () => {
    assert.equal(crd.spec.versions.length, 1);
    assert.equal(version?.name, 'v1alpha1');
    assert.equal(version?.served, true);
    assert.equal(version?.storage, true);
    assert.deepEqual(version?.subresources, { status: {} });
  });

  it("has exactly Karmada's spec fields, with spec and spec.types required", () => {
    assert.deepEqual(root.required, ['spec']);
    assert.deepEqual(spec.required, ['types']);
    assert.deepEqual(fields(spec), {
      consumerClusters: [{ name: 'string' }],
      ports: [{ name: 'string', port: 'integer' }],
      providerClusters: [{ name: 'string' }],
      range: { clusterNames: ['string'] },
      serviceConsumptionClusters: ['string'],
      serviceProvisionClusters: ['string'],
      types: ['string'],
    });
    assert.deepEqual(spec.properties?.ports?.items?.required, ['port']);
    assert.deepEqual(spec.properties?.providerClusters?.items?.required, ['name']);
    assert.deepEqual(spec.properties?.consumerClusters?.items?.required, ['name']);
  });

  it('does not restrict types to an enum, so the webhook can say which entry is wrong', () => {
    assert.equal(spec.properties?.types?.items?.enum, undefined);
  });

  it("has Karmada's status: conditions keyed by type and a load balancer status", () => {
    const status = root.properties?.status ?? {};
    assert.deepEqual(Object.keys(status.properties ?? {}).sort(), ['conditions', 'loadBalancer']);
    const conditions = status.properties?.conditions ?? {};
    assert.equal(conditions['x-kubernetes-list-type'], 'map');
    assert.deepEqual(conditions['x-kubernetes-list-map-keys'], ['type']);
    assert.deepEqual(conditions.items?.required, [
      'lastTransitionTime',
      'message',
      'reason',
      'status',
      'type',
    ]);
    assert.deepEqual(conditions.items?.properties?.status?.enum, ['True', 'False', 'Unknown']);
    assert.deepEqual(
      Object.keys(status.properties?.loadBalancer?.properties?.ingress?.items?.properties ?? {}).sort(),
      ['hostname', 'ip', 'ipMode', 'ports'],
    );
  });

  it('shows names in kubectl get (the first of each list), and whole lists in -o wide', () => {
    assert.deepEqual(
      version?.additionalPrinterColumns.map((c) => [c.name, c.jsonPath, c.priority ?? 0]),
      [
        ['Types', '.spec.types[*]', 0],
        ['Providers', '.spec.providerClusters[*].name', 0],
        ['Consumers', '.spec.consumerClusters[*].name', 0],
        ['Ready', '.status.conditions[?(@.type=="EndpointSliceDispatched")].status', 0],
        ['Age', '.metadata.creationTimestamp', 0],
        ['All providers', '.spec.providerClusters', 1],
        ['All consumers', '.spec.consumerClusters', 1],
      ],
    );
  });

  it("matches the webhook's shape check field for field", () => {
    const webhookSpec = MULTI_CLUSTER_SERVICE_SCHEMA.properties.spec as unknown as Schema;
    assert.deepEqual(fields(webhookSpec), fields(spec));
  });
});
