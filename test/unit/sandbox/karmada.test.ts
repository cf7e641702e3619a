import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLine } from '../../sandbox/commands.ts';
import {
  aggregatedApiObjects,
  KARMADA_CONTROLLERS,
  KARMADA_MCS_CONTROLLERS,
  karmadaWebhookConfiguration,
} from '../../sandbox/karmada-commands.ts';
import {
  allComponents,
  clustersOf,
  componentName,
  EVERY_SHAPE,
  KARMADA_HOST,
  portsOf,
  sandboxLayout,
} from '../../sandbox/layout.ts';

const layout = sandboxLayout('/tmp/sb', 20000);
const karmada = { karmada: { multiClusterService: false } };

/** The value of `--name=` in an argv, split at commas. */
function list(args: string[], name: string): string[] {
  return (
    args
      .find((a) => a.startsWith(`--${name}=`))
      ?.slice(name.length + 3)
      .split(',') ?? []
  );
}

describe('Karmada sandbox layout', () => {
  it('gives every port of every shape its own number, inside the sandbox range and below the free range', () => {
    const ports = allComponents(EVERY_SHAPE).flatMap((id) => portsOf(layout, id));
    assert.equal(new Set(ports).size, ports.length, 'a port is used twice');
    for (const p of ports) assert.ok(p >= 20000 && p < layout.freePortRange.from, `${p} out of range`);
  });

  it("puts Karmada's programs between etcd and the apiservers (base+2 to base+9)", () => {
    const ports = allComponents(karmada)
      .filter((id) => id.component.startsWith('karmada-'))
      .flatMap((id) => portsOf(layout, id))
      .sort();
    assert.deepEqual(ports, [20002, 20003, 20004, 20005, 20006, 20007, 20008, 20009]);
  });

  it('adds karmada-host (base+14) and the four programs only to a Karmada sandbox', () => {
    assert.deepEqual(clustersOf(karmada), ['hub', 'member1', 'member2', KARMADA_HOST]);
    assert.equal(layout.clusters[KARMADA_HOST].apiserverPort, 20014);
    assert.equal(layout.clusters[KARMADA_HOST].podCIDR, undefined, 'karmada-host runs no pods');
    const plain = allComponents().map(componentName);
    assert.ok(!plain.some((n) => n.startsWith('karmada')), `plain sandbox runs ${plain}`);
    const names = allComponents(karmada).map(componentName);
    assert.deepEqual(names.slice(-4), [
      'karmada-aggregated-apiserver',
      'karmada-webhook',
      'karmada-controller-manager',
      'karmada-scheduler',
    ]);
    assert.ok(names.includes('kube-apiserver-karmada-host'));
  });

  it("keeps karmada-host's service range apart from every other cluster's", () => {
    const host = layout.clusters[KARMADA_HOST].serviceCIDR;
    for (const c of clustersOf({ extraMembers: ['member3'] }))
      assert.notEqual(layout.clusters[c].serviceCIDR, host);
  });
});

describe('Karmada command lines', () => {
  const cm = (multiClusterService: boolean) =>
    commandLine(layout, { component: 'karmada-controller-manager' }, '/bin', {
      karmada: { multiClusterService },
    });

  it("starts karmada-controller-manager with Karmada's MultiClusterService gate and controllers off", () => {
    const args = cm(false);
    assert.deepEqual(list(args, 'controllers'), KARMADA_CONTROLLERS);
    assert.ok(!args.some((a) => a.startsWith('--feature-gates')), args.join(' '));
  });

  it('turns on the gate together with its three controllers when asked', () => {
    const args = cm(true);
    assert.deepEqual(list(args, 'controllers'), [...KARMADA_CONTROLLERS, ...KARMADA_MCS_CONTROLLERS]);
    assert.ok(args.includes('--feature-gates=MultiClusterService=true'));
  });

  it("keeps Karmada's default client rate limits unless a limit is asked for", () => {
    for (const component of ['karmada-controller-manager', 'karmada-scheduler'] as const) {
      const args = commandLine(layout, { component }, '/bin', karmada);
      assert.ok(!args.some((a) => /-api-(qps|burst)=/.test(a)), `${component}: ${args.join(' ')}`);
    }
  });

  it('raises the hub limit of the controller manager and the scheduler, and the member limit of the controller manager', () => {
    const raised = { karmada: { multiClusterService: true, apiRateLimit: { qps: 1000, burst: 1500 } } };
    const cmArgs = commandLine(layout, { component: 'karmada-controller-manager' }, '/bin', raised);
    for (const flag of [
      '--kube-api-qps=1000',
      '--kube-api-burst=1500',
      '--cluster-api-qps=1000',
      '--cluster-api-burst=1500',
    ])
      assert.ok(cmArgs.includes(flag), `controller manager lacks ${flag}`);
    const schedArgs = commandLine(layout, { component: 'karmada-scheduler' }, '/bin', raised);
    assert.deepEqual(
      schedArgs.filter((a) => /-api-(qps|burst)=/.test(a)),
      ['--kube-api-qps=1000', '--kube-api-burst=1500'],
    );
  });

  it('binds every Karmada program to loopback on its own ports, talking to the hub', () => {
    for (const id of allComponents(karmada).filter((c) => c.component.startsWith('karmada-'))) {
      const args = commandLine(layout, id, '/bin', karmada);
      assert.ok(args.includes('--kubeconfig=/tmp/sb/kubeconfigs/hub.kubeconfig'), `${id.component}: ${args}`);
      const addresses = args.filter((a) => /-address=/.test(a));
      for (const a of addresses) assert.match(a, /=127\.0\.0\.1(:\d+)?$/, `${id.component}: ${a}`);
      for (const port of portsOf(layout, id)) {
        assert.ok(
          args.some((a) => a.endsWith(`=${port}`) || a.endsWith(`:${port}`)),
          `${id.component} is not told about its port ${port}`,
        );
      }
    }
  });

  it('stores the aggregated apiserver in the sandbox etcd under a prefix of its own', () => {
    const args = commandLine(layout, { component: 'karmada-aggregated-apiserver' }, '/bin', karmada);
    assert.ok(args.includes('--etcd-servers=http://127.0.0.1:20000'));
    assert.ok(args.includes('--etcd-prefix=/karmada-aggregated-apiserver'));
  });

  it("gives the hub the aggregator's request-header flags only in a Karmada sandbox", () => {
    const hub = { component: 'kube-apiserver', cluster: 'hub' } as const;
    assert.ok(
      commandLine(layout, hub, '/bin', karmada).includes('--requestheader-allowed-names=front-proxy-client'),
    );
    assert.ok(!commandLine(layout, hub, '/bin').some((a) => a.startsWith('--requestheader')));
    const member = commandLine(layout, { component: 'kube-apiserver', cluster: 'member1' }, '/bin', karmada);
    assert.ok(!member.some((a) => a.startsWith('--requestheader')), 'members are not aggregators');
  });

  it('refuses to build a Karmada command line for a sandbox without Karmada', () => {
    assert.throws(
      () => commandLine(layout, { component: 'karmada-webhook' }, '/bin'),
      /karmada-webhook runs only in a Karmada sandbox/,
    );
  });
});

describe("Karmada's manifests as the sandbox registers them", () => {
  it('points the webhook configuration at the loopback port with the sandbox CA', () => {
    const text = [
      'clientConfig:',
      '  url: https://karmada-webhook.karmada-system.svc:443/validate-multiclusterservice',
      '  caBundle: {{caBundle}}',
    ].join('\n');
    const out = karmadaWebhookConfiguration(text, layout, 'PEM');
    assert.match(out, /url: https:\/\/127\.0\.0\.1:20003\/validate-multiclusterservice/);
    assert.match(out, new RegExp(`caBundle: ${Buffer.from('PEM').toString('base64')}`));
  });

  it('fails loudly when a new Karmada version changes the placeholders', () => {
    assert.throws(
      () => karmadaWebhookConfiguration('url: https://other/', layout, 'PEM'),
      /no longer names https:\/\/karmada-webhook\.karmada-system\.svc:443\//,
    );
  });

  it('routes the APIService to an ExternalName Service of 127.0.0.1 on the aggregated port', () => {
    // Karmada's file as it ships: an unquoted {{caBundle}} placeholder the parser cannot read.
    const text = [
      'apiVersion: apiregistration.k8s.io/v1',
      'kind: APIService',
      'metadata: { name: v1alpha1.cluster.karmada.io }',
      'spec:',
      '  caBundle: {{caBundle}}',
      '  service: { name: x }',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: { name: x }',
      'spec: { type: ExternalName, externalName: x.svc }',
    ].join('\n');
    const [api, svc] = aggregatedApiObjects(text, layout, 'PEM') as unknown as {
      spec: Record<string, unknown>;
    }[];
    assert.deepEqual(api?.spec.service, {
      name: 'karmada-aggregated-apiserver',
      namespace: 'karmada-system',
      port: 20002,
    });
    assert.equal(api?.spec.caBundle, Buffer.from('PEM').toString('base64'));
    assert.equal(svc?.spec.externalName, '127.0.0.1');
  });
});
