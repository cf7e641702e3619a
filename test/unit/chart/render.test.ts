/**
 * What `helm template` renders for each TLS mode: the Deployment and its restricted
 * securityContext, probes and flags (checked by the programs' own parsers), the webhook
 * settings, and RBAC exactly as wide as the code's calls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Container, V1PodDisruptionBudget, V1Probe } from '@kubernetes/client-node';
import { parseSyncerArgs } from '../../../syncer/config.ts';
import { parseWebhookOptions } from '../../../webhook/options.ts';
import { flag, flags, type Rendered, render } from './helm.ts';

const SECRET_MODE = { tls: { mode: 'secret', secretName: 'my-tls', secret: { caBundle: 'Y2EtYnVuZGxl' } } };
const MODES: [string, object][] = [
  ['selfManaged', {}],
  ['certManager', { tls: { mode: 'certManager' } }],
  ['secret', SECRET_MODE],
];

/** The hub rules every mode has (release mcs-bridge in mcs-system, Karmada clusters). */
const COMMON_RULES = [
  'ClusterRole: cluster.karmada.io/clusters: list,watch',
  'ClusterRole: core/events: create',
  'ClusterRole: core/services: get,list,watch',
  'ClusterRole: networking.karmada.io/multiclusterservices/status: patch',
  'ClusterRole: networking.karmada.io/multiclusterservices: list,patch,watch',
  'Role karmada-cluster: core/secrets: get',
  'Role mcs-system: coordination.k8s.io/leases: create',
  'Role mcs-system: coordination.k8s.io/leases[mcs-bridge-syncer]: get,update',
  'ClusterRole: work.karmada.io/works: list,watch',
  'ClusterRole: work.karmada.io/works: create,delete,get,list,update,watch',
];
const SELF_MANAGED_RULES = [
  'ClusterRole: admissionregistration.k8s.io/mutatingwebhookconfigurations[mcs-bridge]: get,patch',
  'ClusterRole: admissionregistration.k8s.io/validatingwebhookconfigurations[mcs-bridge]: get,patch',
  'Role mcs-system: core/secrets[mcs-bridge-tls]: get,patch',
];

function assertRestricted(c: V1Container): void {
  assert.deepEqual(c.securityContext, {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  assert.ok(c.resources?.requests?.cpu && c.resources.requests.memory, `${c.name} has requests`);
  assert.ok(c.resources?.limits?.cpu && c.resources.limits.memory, `${c.name} has limits`);
}

/** The port number a probe reaches, resolved through the container's named ports. */
function probePort(c: V1Container, probe: V1Probe | undefined): number | undefined {
  const port = probe?.httpGet?.port;
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

function assertProbes(c: V1Container, portFlag: string): void {
  const port = Number(flag(c.args, portFlag));
  assert.equal(c.readinessProbe?.httpGet?.path, '/readyz', `${c.name} readiness path`);
  assert.equal(c.livenessProbe?.httpGet?.path, '/healthz', `${c.name} liveness path`);
  assert.equal(probePort(c, c.readinessProbe), port, `${c.name} readiness probes --${portFlag}`);
  assert.equal(probePort(c, c.livenessProbe), port, `${c.name} liveness probes --${portFlag}`);
}

describe('the chart rendered', () => {
  for (const [mode, values] of MODES) {
    describe(`with TLS mode ${mode}`, () => {
      let out: Rendered;
      const rendered = async () => {
        out ??= await render(values);
        return out;
      };

      it('runs one Deployment of 2 replicas with a webhook and a leader-elected syncer, spread across nodes', async () => {
        const d = (await rendered()).deployment();
        assert.equal(d.spec?.replicas, 2);
        const pod = d.spec?.template.spec;
        assert.deepEqual(
          pod?.containers.map((c) => c.name),
          ['webhook', 'syncer'],
        );
        assert.equal(flag((await rendered()).container('syncer').args, 'leader-elect'), true);
        assert.equal(pod?.topologySpreadConstraints?.[0]?.topologyKey, 'kubernetes.io/hostname');
        assert.deepEqual(
          pod?.topologySpreadConstraints?.[0]?.labelSelector?.matchLabels,
          d.spec?.selector.matchLabels,
        );
        assert.equal(pod?.serviceAccountName, 'mcs-bridge');
      });

      it('runs both containers non-root, read-only, without capabilities, under seccomp RuntimeDefault', async () => {
        const r = await rendered();
        const pod = r.deployment().spec?.template.spec;
        assert.equal(pod?.securityContext?.runAsNonRoot, true);
        assert.equal(pod?.securityContext?.seccompProfile?.type, 'RuntimeDefault');
        assertRestricted(r.container('webhook'));
        assertRestricted(r.container('syncer'));
      });

      it('probes /healthz and /readyz on the ports the programs serve them on', async () => {
        const r = await rendered();
        assertProbes(r.container('webhook'), 'health-port');
        assertProbes(r.container('syncer'), 'metrics-port');
      });

      it('passes flags the webhook and the syncer accept', async () => {
        const r = await rendered();
        const webhook = parseWebhookOptions(r.container('webhook').args ?? []);
        assert.equal(webhook?.inCluster, true);
        assert.equal(webhook?.selfManagedTls !== undefined, mode === 'selfManaged');
        const syncer = parseSyncerArgs(r.container('syncer').args ?? [], { POD_NAMESPACE: 'mcs-system' });
        assert.equal(syncer?.leaseName, 'mcs-bridge-syncer');
        assert.equal(syncer?.leaseNamespace, 'mcs-system');
        assert.equal(syncer?.clusterSource, 'karmada');
      });

      it('registers both webhooks with failurePolicy Fail, no side effects, 3 s, Equivalent, v1, at their paths', async () => {
        const r = await rendered();
        for (const [config, path] of r
          .webhookConfigurations()
          .map(
            (c, i) => [c, i === 0 ? '/mutate-multiclusterservice' : '/validate-multiclusterservice'] as const,
          )) {
          assert.equal(config.metadata?.name, 'mcs-bridge');
          const [w, ...rest] = config.webhooks ?? [];
          assert.equal(rest.length, 0, 'one webhook per configuration');
          assert.equal(w?.failurePolicy, 'Fail');
          assert.equal(w?.sideEffects, 'None');
          assert.equal(w?.timeoutSeconds, 3);
          assert.equal(w?.matchPolicy, 'Equivalent');
          assert.deepEqual(w?.admissionReviewVersions, ['v1']);
          assert.deepEqual(w?.clientConfig.service, {
            name: 'mcs-bridge-webhook',
            namespace: 'mcs-system',
            path,
            port: 443,
          });
          assert.deepEqual(w?.rules, [
            {
              apiGroups: ['networking.karmada.io'],
              apiVersions: ['v1alpha1'],
              operations: ['CREATE', 'UPDATE'],
              resources: ['multiclusterservices'],
              scope: 'Namespaced',
            },
          ]);
          const annotation = config.metadata?.annotations?.['cert-manager.io/inject-ca-from'];
          assert.equal(annotation, mode === 'certManager' ? 'mcs-system/mcs-bridge-serving' : undefined);
          assert.equal(w?.clientConfig.caBundle, mode === 'secret' ? 'Y2EtYnVuZGxl' : undefined);
        }
      });

      it('grants on the hub exactly what the code calls', async () => {
        const expected = [...COMMON_RULES, ...(mode === 'selfManaged' ? SELF_MANAGED_RULES : [])].sort();
        assert.deepEqual((await rendered()).rbacRules(), expected);
      });

      it('serves the certificate from the place its mode keeps it', async () => {
        const r = await rendered();
        const tls = r.deployment().spec?.template.spec?.volumes?.find((v) => v.name === 'tls');
        const webhook = r.container('webhook');
        assert.equal(flag(webhook.args, 'tls-cert-file'), '/tls/tls.crt');
        if (mode === 'selfManaged') {
          assert.equal(tls?.emptyDir?.medium, 'Memory', 'written to memory, not to the read-only root');
          assert.equal(r.one('Secret', 'mcs-bridge-tls').metadata?.name, 'mcs-bridge-tls', 'created empty');
          assert.equal(flag(webhook.args, 'tls-service'), 'mcs-bridge-webhook');
          assert.equal(flag(webhook.args, 'tls-secret-namespace'), 'mcs-system');
        } else {
          assert.equal(tls?.secret?.secretName, mode === 'secret' ? 'my-tls' : 'mcs-bridge-tls');
          assert.equal(r.all('Secret').length, 0, 'the chart makes no Secret');
        }
        if (mode === 'certManager') {
          const cert = r.one<{ spec: { dnsNames: string[]; issuerRef: object } } & { kind: string }>(
            'Certificate',
          );
          assert.deepEqual(cert.spec.dnsNames, [
            'mcs-bridge-webhook',
            'mcs-bridge-webhook.mcs-system',
            'mcs-bridge-webhook.mcs-system.svc',
            'mcs-bridge-webhook.mcs-system.svc.cluster.local',
          ]);
          assert.deepEqual(cert.spec.issuerRef, {
            name: 'mcs-bridge-selfsigned',
            kind: 'Issuer',
            group: 'cert-manager.io',
          });
          assert.equal(r.one('Issuer').metadata?.name, 'mcs-bridge-selfsigned');
        }
      });

      it('renders every object the issue lists and nothing else', async () => {
        const tlsObjects = {
          selfManaged: ['Secret/mcs-bridge-tls'],
          certManager: ['Certificate/mcs-bridge-serving', 'Issuer/mcs-bridge-selfsigned'],
          secret: [],
        }[mode];
        assert.deepEqual(
          (await rendered()).names(),
          [
            'ClusterRole/mcs-bridge',
            'ClusterRole/mcs-bridge-karmada',
            'ClusterRole/mcs-bridge-karmada-pull',
            'ClusterRoleBinding/mcs-bridge',
            'ClusterRoleBinding/mcs-bridge-karmada',
            'ClusterRoleBinding/mcs-bridge-karmada-pull',
            'Deployment/mcs-bridge',
            'Lease/mcs-bridge-syncer',
            'MutatingWebhookConfiguration/mcs-bridge',
            'PodDisruptionBudget/mcs-bridge',
            'Role/mcs-bridge',
            'Role/mcs-bridge-cluster-secrets',
            'RoleBinding/mcs-bridge',
            'RoleBinding/mcs-bridge-cluster-secrets',
            'Service/mcs-bridge-metrics',
            'Service/mcs-bridge-webhook',
            'ServiceAccount/mcs-bridge',
            'ValidatingWebhookConfiguration/mcs-bridge',
            ...(tlsObjects ?? []),
          ].sort(),
        );
      });
    });
  }

  it('keeps at least one pod through a drain with 2 replicas, and drops the PDB with one', async () => {
    const pdb = (await render()).one<V1PodDisruptionBudget>('PodDisruptionBudget');
    assert.equal(pdb.spec?.minAvailable, 1);
    assert.equal((await render({ replicas: 1 })).all('PodDisruptionBudget').length, 0);
  });

  it('mounts a member kubeconfig Secret in both containers and grants no Karmada access with it', async () => {
    const r = await render({
      members: { source: 'kubeconfig', kubeconfig: { secretName: 'members', contexts: ['member1'] } },
    });
    for (const name of ['webhook', 'syncer'] as const) {
      const c = r.container(name);
      assert.equal(flag(c.args, 'member-kubeconfig'), '/etc/mcs-bridge/members/kubeconfig');
      assert.equal(c.volumeMounts?.find((m) => m.name === 'members')?.mountPath, '/etc/mcs-bridge/members');
    }
    assert.equal(flag(r.container('syncer').args, 'cluster-source'), 'kubeconfig');
    assert.deepEqual(flags(r.container('syncer').args, 'member-context'), ['member1']);
    const volume = r.deployment().spec?.template.spec?.volumes?.find((v) => v.name === 'members');
    assert.deepEqual(volume?.secret?.items, [{ key: 'kubeconfig', path: 'kubeconfig' }]);
    const rules = r.rbacRules();
    assert.ok(
      !rules.some((l) => l.includes('karmada-cluster') || l.includes('cluster.karmada.io')),
      rules.join('\n'),
    );
  });

  it('bounds the syncer’s requests by syncer.requestTimeout, 30 s unless set', async () => {
    const plain = await render();
    assert.equal(parseSyncerArgs(plain.container('syncer').args ?? [])?.requestTimeoutMs, 30_000);
    const r = await render({ syncer: { requestTimeout: '1m30s' } });
    assert.equal(flag(r.container('syncer').args, 'request-timeout'), '1m30s');
    assert.equal(parseSyncerArgs(r.container('syncer').args ?? [])?.requestTimeoutMs, 90_000);
  });

  it('lets the syncer take over from Karmada only with karmadaCoexistence.takeOver, which widens its rights on Works', async () => {
    const plain = await render();
    assert.equal(flag(plain.container('syncer').args, 'karmada-takeover'), undefined);
    const r = await render({ karmadaCoexistence: { takeOver: true, probeTimeout: '45s' } });
    const args = r.container('syncer').args;
    assert.equal(flag(args, 'karmada-takeover'), true);
    assert.equal(parseSyncerArgs(args ?? [])?.karmadaProbeTimeoutMs, 45_000);
    const karmada = r.rbacRules().filter((l) => l.includes('work.karmada.io'));
    assert.deepEqual(karmada, [
      'ClusterRole: work.karmada.io/resourcebindings: delete,get',
      'ClusterRole: work.karmada.io/works: create,delete,get,list,update,watch',
      'ClusterRole: work.karmada.io/works: delete,list,patch,watch',
    ]);
  });

  it('grants nothing on Karmada’s Works when told not to read them and to serve no Pull-mode member', async () => {
    const r = await render({
      karmadaCoexistence: { readWorks: false },
      members: { karmada: { pullMode: false } },
    });
    assert.ok(!r.rbacRules().some((l) => l.includes('work.karmada.io')));
    assert.ok(!r.names().some((n) => n.endsWith('-karmada') || n.endsWith('-karmada-pull')));
  });

  it('grants Works, and nothing else of Karmada’s, to serve Pull-mode members', async () => {
    const r = await render({ karmadaCoexistence: { readWorks: false } });
    assert.deepEqual(
      r.rbacRules().filter((l) => /karmada\.io|multicluster/.test(l)),
      [
        'ClusterRole: cluster.karmada.io/clusters: list,watch',
        'ClusterRole: networking.karmada.io/multiclusterservices/status: patch',
        'ClusterRole: networking.karmada.io/multiclusterservices: list,patch,watch',
        'ClusterRole: work.karmada.io/works: create,delete,get,list,update,watch',
      ],
    );
  });

  it('limits the Karmada Secret reads to the names given', async () => {
    const r = await render({
      members: { karmada: { secretNamespace: 'clusters', secretNames: ['member1'] } },
    });
    assert.ok(r.rbacRules().includes('Role clusters: core/secrets[member1]: get'));
  });

  it('points the webhooks at webhook.url and puts its host in the certificate', async () => {
    const r = await render({
      webhook: { url: 'https://127.0.0.1:9443/' },
      tls: { hosts: ['a.example.com'] },
    });
    const [mutating, validating] = r.webhookConfigurations();
    assert.deepEqual(mutating.webhooks?.[0]?.clientConfig, {
      url: 'https://127.0.0.1:9443/mutate-multiclusterservice',
    });
    assert.deepEqual(validating.webhooks?.[0]?.clientConfig, {
      url: 'https://127.0.0.1:9443/validate-multiclusterservice',
    });
    const args = r.container('webhook').args;
    assert.deepEqual(flags(args, 'tls-ip'), ['127.0.0.1']);
    assert.deepEqual(flags(args, 'tls-host'), ['a.example.com']);
    const named = await render({ webhook: { url: 'https://mcs.example.com:8443' } });
    assert.deepEqual(flags(named.container('webhook').args, 'tls-host'), ['mcs.example.com']);
  });

  it('passes the namespaceSelector to both webhooks', async () => {
    const selector = { matchLabels: { 'kubernetes.io/metadata.name': 'apps' } };
    for (const config of (
      await render({ webhook: { namespaceSelector: selector } })
    ).webhookConfigurations()) {
      assert.deepEqual(config.webhooks?.[0]?.namespaceSelector, selector);
    }
  });

  it('renders a ServiceMonitor for both metrics ports when asked', async () => {
    const r = await render({ metrics: { serviceMonitor: { enabled: true, labels: { release: 'prom' } } } });
    const sm = r.one<
      { metadata: { labels: Record<string, string> }; spec: { endpoints: { port: string }[] } } & {
        kind: string;
      }
    >('ServiceMonitor');
    assert.equal(sm.metadata.labels.release, 'prom');
    assert.deepEqual(
      sm.spec.endpoints.map((e) => e.port),
      ['webhook-metrics', 'syncer-metrics'],
    );
    assert.equal((await render()).all('ServiceMonitor').length, 0, 'off by default');
  });
});
