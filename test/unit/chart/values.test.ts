/**
 * The chart's values: `helm lint` is clean in every mode, values.schema.json turns a typo into
 * a clear error, and README.md documents every value with its default.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadYaml } from '@kubernetes/client-node';
import { CHART_DIR, helm, KUBE_VERSION, template, withValuesFile } from './helm.ts';

const MODES: Record<string, object> = {
  selfManaged: {},
  certManager: {
    tls: { mode: 'certManager', certManager: { issuerRef: { name: 'ca', kind: 'ClusterIssuer' } } },
  },
  secret: { tls: { mode: 'secret', secretName: 'my-tls', secret: { caBundle: 'Y2E=' } } },
  kubeconfig: { members: { source: 'kubeconfig', kubeconfig: { secretName: 'members' } } },
};

describe('the chart values', () => {
  for (const [name, values] of Object.entries(MODES)) {
    it(`lint clean with ${name} values`, async () => {
      const out = await withValuesFile(values, (file) =>
        helm(['lint', '--strict', CHART_DIR, '--kube-version', KUBE_VERSION, '-f', file]),
      );
      assert.equal(out.code, 0, out.stdout + out.stderr);
      assert.doesNotMatch(out.stdout, /\[(WARNING|ERROR)\]/);
    });
  }

  const refused: [string, object, RegExp][] = [
    ['a misspelt top-level value', { replica: 3 }, /at '': additional properties 'replica' not allowed/],
    [
      'a misspelt nested value',
      { webhook: { failurPolicy: 'Ignore' } },
      /at '\/webhook': additional properties 'failurPolicy' not allowed/,
    ],
    [
      'a misspelt securityContext field',
      { securityContext: { readOnlyRootFileSystem: true } },
      /at '\/securityContext': additional properties 'readOnlyRootFileSystem' not allowed/,
    ],
    [
      'an unknown TLS mode',
      { tls: { mode: 'manual' } },
      /at '\/tls\/mode': value must be one of 'selfManaged', 'certManager', 'secret'/,
    ],
    [
      'a webhook timeout over 30 s',
      { webhook: { timeoutSeconds: 60 } },
      /timeoutSeconds': maximum: got 60, want 30/,
    ],
    [
      'a duration without a unit',
      { syncer: { resyncPeriod: '10' } },
      /at '\/syncer\/resyncPeriod': '10' does not match/,
    ],
    [
      'a request timeout without a unit',
      { syncer: { requestTimeout: '30' } },
      /at '\/syncer\/requestTimeout': '30' does not match/,
    ],
    ['a replica count as text', { replicas: 'two' }, /at '\/replicas': got string, want integer/],
    [
      'kubeconfig members without their Secret',
      { members: { source: 'kubeconfig' } },
      /set members.kubeconfig.secretName to the Secret \(in the release namespace\) holding the member kubeconfig/,
    ],
    [
      'secret mode without a caBundle',
      { tls: { mode: 'secret', secretName: 'x' } },
      /tls.mode is secret: set tls.secret.caBundle/,
    ],
    ['clashing ports', { syncer: { metricsPort: 8443 } }, /syncer.metricsPort must differ/],
  ];
  for (const [what, values, message] of refused) {
    it(`refuse ${what} with a message naming it`, async () => {
      const out = await template(values);
      assert.notEqual(out.code, 0, 'helm template must fail');
      assert.match(out.stderr, message);
    });
  }

  it('take an image tag given as a number with --set', async () => {
    const out = await helm([
      'template',
      'x',
      CHART_DIR,
      '--kube-version',
      KUBE_VERSION,
      '--set',
      'image.tag=1.2',
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /image: ghcr.io\/mcs-bridge\/mcs-bridge:1.2$/m);
  });
});

/** Every leaf path of an object (`webhook.service.port`); empty objects and arrays are leaves. */
function leafPaths(value: unknown, prefix = ''): string[] {
  if (
    value === null ||
    typeof value !== 'object' ||
    Array.isArray(value) ||
    Object.keys(value).length === 0
  ) {
    return [prefix];
  }
  return Object.entries(value).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

describe('the chart README', () => {
  const readme = readFileSync(path.join(CHART_DIR, 'README.md'), 'utf8');
  const valuesSection = readme.slice(readme.indexOf('\n## Values\n'));
  const values = loadYaml<object>(readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8'));

  it('documents every value with its default', () => {
    const rows = new Map<string, string>();
    for (const line of valuesSection.split('\n')) {
      const m = /^\| `([^`]+)` \| (.*?) \|/.exec(line);
      if (m?.[1] && m[2] !== undefined) rows.set(m[1], m[2]);
    }
    const missing = leafPaths(values).filter((p) => !rows.has(p));
    assert.deepEqual(missing, [], 'values without a row in the README table');
    for (const p of leafPaths(values)) {
      const actual = p.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], values);
      const cell = rows.get(p) ?? '';
      assert.equal(cell.replaceAll('\\|', '|'), `\`${JSON.stringify(actual)}\``, `the default of ${p}`);
    }
  });

  it('lists no value the chart does not have', () => {
    const known = new Set(leafPaths(values));
    const extra = [...valuesSection.matchAll(/^\| `([^`]+)` \|/gm)]
      .map((m) => m[1])
      .filter((p) => p && !known.has(p));
    assert.deepEqual(extra, []);
  });
});

/** Schema nodes that pass a Kubernetes object through unchecked below their own level. */
const PASS_THROUGH = new Set([
  'affinity.nodeAffinity',
  'affinity.podAffinity',
  'affinity.podAntiAffinity',
  'podSecurityContext.seLinuxOptions',
  'podSecurityContext.appArmorProfile',
  'podSecurityContext.windowsOptions',
  'podSecurityContext.sysctls[]',
  'securityContext.seLinuxOptions',
  'securityContext.appArmorProfile',
  'securityContext.windowsOptions',
]);

interface SchemaNode {
  type?: string | string[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
}

/** Every object node of the schema that accepts keys it does not name, by path. */
function openObjects(node: SchemaNode, at: string): string[] {
  const here: string[] = [];
  if (node.type === 'object') {
    const closed = node.additionalProperties === false;
    const typedMap = typeof node.additionalProperties === 'object' && node.properties === undefined;
    if (!closed && !typedMap) here.push(at);
  }
  const children = [
    ...Object.entries(node.properties ?? {}).map(([k, v]) => [at ? `${at}.${k}` : k, v] as const),
    ...(node.items ? [[`${at}[]`, node.items] as const] : []),
    ...(node.anyOf ?? []).map((v) => [at, v] as const),
  ];
  return [...here, ...children.flatMap(([p, v]) => openObjects(v, p))];
}

describe('values.schema.json', () => {
  it('closes every level: each object names its keys, or is a map of typed values', () => {
    const schema = JSON.parse(readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8')) as SchemaNode;
    assert.deepEqual(
      openObjects(schema, '').filter((p) => !PASS_THROUGH.has(p)),
      [],
      'objects accepting unnamed keys outside the Kubernetes pass-throughs',
    );
  });
});
