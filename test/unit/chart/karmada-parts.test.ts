/**
 * The chart split for a Karmada control plane: the karmada-apiserver part renders what the
 * API needs, the karmada-host part the pods, which reach karmada-apiserver through the
 * kubeconfig Secret; together they are the hub install, nothing lost and nothing twice.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { V1Secret } from '@kubernetes/client-node';
import { parseSyncerArgs } from '../../../syncer/config.ts';
import { parseWebhookOptions } from '../../../webhook/options.ts';
import { flag, render, template } from './helm.ts';

const part = (p: string, extra: object = {}) => render({ controlPlane: { part: p }, ...extra });

describe('the chart on a Karmada control plane', () => {
  it('splits the hub install into two parts that share no object and lose none', async () => {
    const hub = (await render()).names();
    const api = (await part('karmada-apiserver')).names();
    const host = (await part('karmada-host')).names();
    const both = api.filter((n) => host.includes(n));
    assert.deepEqual(both, ['ServiceAccount/mcs-bridge'], 'only the ServiceAccount is in both');
    assert.deepEqual(
      [...new Set([...api, ...host])].sort(),
      [...hub, 'Secret/mcs-bridge-token'].sort(),
      'the parts together are the hub install, plus the token Secret',
    );
  });

  it('puts the webhook configurations, RBAC, Lease and certificate Secret in karmada-apiserver', async () => {
    assert.deepEqual((await part('karmada-apiserver')).names(), [
      'ClusterRole/mcs-bridge',
      'ClusterRole/mcs-bridge-karmada',
      'ClusterRole/mcs-bridge-karmada-pull',
      'ClusterRoleBinding/mcs-bridge',
      'ClusterRoleBinding/mcs-bridge-karmada',
      'ClusterRoleBinding/mcs-bridge-karmada-pull',
      'Lease/mcs-bridge-syncer',
      'MutatingWebhookConfiguration/mcs-bridge',
      'Role/mcs-bridge',
      'Role/mcs-bridge-cluster-secrets',
      'RoleBinding/mcs-bridge',
      'RoleBinding/mcs-bridge-cluster-secrets',
      'Secret/mcs-bridge-tls',
      'Secret/mcs-bridge-token',
      'ServiceAccount/mcs-bridge',
      'ValidatingWebhookConfiguration/mcs-bridge',
    ]);
  });

  it('gives karmada-apiserver a long-lived token Secret of the ServiceAccount the RBAC binds', async () => {
    const r = await part('karmada-apiserver');
    const token = r.one<V1Secret>('Secret', 'mcs-bridge-token');
    assert.equal(token.type, 'kubernetes.io/service-account-token');
    assert.equal(token.metadata?.annotations?.['kubernetes.io/service-account.name'], 'mcs-bridge');
    // The syncer's own rights, and its reading of Karmada's Works (karmadaCoexistence.readWorks).
    for (const name of ['mcs-bridge', 'mcs-bridge-karmada']) {
      const binding = r.one<{ subjects: { name: string; namespace: string }[] } & { kind: string }>(
        'ClusterRoleBinding',
        name,
      );
      assert.deepEqual(binding.subjects, [
        { kind: 'ServiceAccount', name: 'mcs-bridge', namespace: 'mcs-system' },
      ]);
    }
  });

  it('calls the webhook Service in karmada-host by name unless webhook.url says otherwise', async () => {
    const [mutating] = (await part('karmada-apiserver')).webhookConfigurations();
    assert.deepEqual(mutating.webhooks?.[0]?.clientConfig, {
      url: 'https://mcs-bridge-webhook.mcs-system.svc:443/mutate-multiclusterservice',
    });
    const [own] = (
      await part('karmada-apiserver', { webhook: { url: 'https://10.0.0.5:8443' } })
    ).webhookConfigurations();
    assert.equal(own.webhooks?.[0]?.clientConfig.url, 'https://10.0.0.5:8443/mutate-multiclusterservice');
  });

  it('runs both containers in karmada-host against karmada-apiserver’s kubeconfig, with no token of karmada-host', async () => {
    const r = await part('karmada-host');
    assert.deepEqual(r.names(), [
      'Deployment/mcs-bridge',
      'PodDisruptionBudget/mcs-bridge',
      'Service/mcs-bridge-metrics',
      'Service/mcs-bridge-webhook',
      'ServiceAccount/mcs-bridge',
    ]);
    const pod = r.deployment().spec?.template.spec;
    assert.equal(pod?.automountServiceAccountToken, false);
    const volume = pod?.volumes?.find((v) => v.name === 'karmada-kubeconfig');
    assert.deepEqual(volume?.secret?.secretName, 'mcs-bridge-karmada-kubeconfig');
    for (const name of ['webhook', 'syncer'] as const) {
      const c = r.container(name);
      assert.equal(flag(c.args, 'kubeconfig'), '/etc/mcs-bridge/karmada/kubeconfig', name);
      assert.equal(flag(c.args, 'in-cluster'), undefined, name);
      assert.equal(
        c.volumeMounts?.find((m) => m.name === 'karmada-kubeconfig')?.mountPath,
        '/etc/mcs-bridge/karmada',
      );
    }
    const webhook = parseWebhookOptions(r.container('webhook').args ?? []);
    assert.equal(webhook?.kubeconfig, '/etc/mcs-bridge/karmada/kubeconfig');
    assert.equal(webhook?.inCluster, false);
    const syncer = parseSyncerArgs(r.container('syncer').args ?? [], { POD_NAMESPACE: 'mcs-system' });
    assert.equal(syncer?.kubeconfig, '/etc/mcs-bridge/karmada/kubeconfig');
    assert.equal(syncer?.leaseNamespace, 'mcs-system', 'the Lease the karmada-apiserver part made');
  });

  const refused: [string, object, RegExp][] = [
    [
      'cert-manager in karmada-apiserver',
      { controlPlane: { part: 'karmada-apiserver' }, tls: { mode: 'certManager' } },
      /controlPlane.part is karmada-apiserver: cert-manager's cainjector cannot fill the caBundle/,
    ],
    [
      'karmada-host without the kubeconfig Secret',
      { controlPlane: { part: 'karmada-host', karmadaKubeconfig: { secretName: '' } } },
      /set controlPlane.karmadaKubeconfig.secretName/,
    ],
    [
      'an unknown part',
      { controlPlane: { part: 'karmada' } },
      /at '\/controlPlane\/part': value must be one of 'hub', 'karmada-apiserver', 'karmada-host'/,
    ],
  ];
  for (const [what, values, message] of refused) {
    it(`refuses ${what} with a message naming the value`, async () => {
      const out = await template(values);
      assert.notEqual(out.code, 0, 'helm template must fail');
      assert.match(out.stderr, message);
    });
  }
});
