import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLUSTERSET_ZONE, corefile } from '../../dataplane/coredns.ts';
import {
  COREDNS_USER,
  corednsClusterRole,
  corednsClusterRoleBinding,
  corednsKubeconfig,
} from '../../dataplane/coredns-identity.ts';
import { formatAnswer, parseDnsQueryOutput } from '../../dataplane/dns-answer.ts';
import { dataPlaneTopology } from '../../dataplane/topology.ts';
import { sandboxLayout } from '../../sandbox/layout.ts';

const node = dataPlaneTopology(sandboxLayout('/tmp/sb', 20000)).nodes.member2;

describe("member2's CoreDNS and clusterset.local", () => {
  const cases = [
    {
      name: 'serves clusterset.local from ServiceImports when member2 has them',
      clusterset: true,
      zones: 'kubernetes cluster.local clusterset.local in-addr.arpa ip6.arpa {',
      multicluster: true,
    },
    {
      name: 'serves cluster.local alone when member2 has no ServiceImport v1alpha1',
      clusterset: false,
      zones: 'kubernetes cluster.local in-addr.arpa ip6.arpa {',
      multicluster: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const text = corefile(node, '/k/coredns.kubeconfig', 'member2', { clusterset: c.clusterset });
      assert.ok(text.includes(c.zones), text);
      assert.equal(/^\s+multicluster clusterset\.local$/m.test(text), c.multicluster, text);
      // The zone is the plugin's alone: an unimported name is NXDOMAIN, never passed on.
      assert.match(text, /fallthrough in-addr\.arpa ip6\.arpa\n/);
    });
  }

  it('is the zone KEP-1645 names', () => {
    assert.equal(CLUSTERSET_ZONE, 'clusterset.local');
  });

  it('lets CoreDNS list and watch ServiceImports only when it serves clusterset.local', () => {
    const rule = (clusterset: boolean) =>
      corednsClusterRole({ clusterset }).rules?.find((r) => r.apiGroups?.includes('multicluster.x-k8s.io'));
    assert.deepEqual(rule(true), {
      apiGroups: ['multicluster.x-k8s.io'],
      resources: ['serviceimports'],
      verbs: ['list', 'watch'],
    });
    assert.equal(rule(false), undefined);
  });

  it("gives CoreDNS read access only: what a cluster's DNS add-on has", () => {
    const verbs = new Set(corednsClusterRole({ clusterset: true }).rules?.flatMap((r) => r.verbs));
    assert.deepEqual([...verbs].sort(), ['list', 'watch']);
    const resources = corednsClusterRole({ clusterset: false }).rules?.flatMap((r) => r.resources ?? []);
    assert.deepEqual(resources?.sort(), ['endpoints', 'endpointslices', 'namespaces', 'pods', 'services']);
  });

  it('binds the ClusterRole to the user of its client certificate', () => {
    const binding = corednsClusterRoleBinding();
    assert.equal(binding.roleRef.name, COREDNS_USER);
    assert.deepEqual(binding.subjects, [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: COREDNS_USER },
    ]);
    const kc = corednsKubeconfig({ server: 'https://127.0.0.1:20012', ca: '/ca', cert: '/c', key: '/k' }) as {
      users: { name: string; user: Record<string, string> }[];
      'current-context': string;
    };
    assert.deepEqual(kc.users, [
      { name: COREDNS_USER, user: { 'client-certificate': '/c', 'client-key': '/k' } },
    ]);
    assert.equal(kc['current-context'], 'member2', 'the context the Corefile names');
  });
});

describe('DNS answers as the data-plane tests compare them', () => {
  it('sorts A records', () => {
    assert.deepEqual(formatAnswer({ a: ['10.10.1.2', '10.10.1.1'] }), {
      ok: true,
      records: ['10.10.1.1', '10.10.1.2'],
    });
  });

  it('keeps port and target of SRV records, not priority and weight', () => {
    assert.deepEqual(
      formatAnswer({
        srv: [
          { name: 'b.svc.clusterset.local', port: 80, priority: 0, weight: 50 },
          { name: 'a.svc.clusterset.local', port: 80, priority: 0, weight: 50 },
        ],
      }),
      { ok: true, records: ['80 a.svc.clusterset.local', '80 b.svc.clusterset.local'] },
    );
  });

  it("reads the query program's line, answer or error code", () => {
    assert.deepEqual(parseDnsQueryOutput('{"ok":true,"records":["10.98.0.5"]}\n'), {
      ok: true,
      records: ['10.98.0.5'],
    });
    assert.deepEqual(parseDnsQueryOutput('{"ok":false,"code":"ENOTFOUND"}\n'), {
      ok: false,
      code: 'ENOTFOUND',
    });
  });

  it('refuses output that is not an answer, quoting it', () => {
    assert.throws(
      () => parseDnsQueryOutput('Segmentation fault\n'),
      /the DNS query printed no answer: "Segmentation fault\\n"/,
    );
    assert.throws(() => parseDnsQueryOutput('{"ok":true}'), /printed no answer/);
  });
});
