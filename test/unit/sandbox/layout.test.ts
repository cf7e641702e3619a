import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandLine } from '../../sandbox/commands.ts';
import { allComponents, CLUSTERS, componentName, portsOf, sandboxLayout } from '../../sandbox/layout.ts';

/** Parses an IPv4 CIDR into [first, last] addresses as numbers. */
function range(cidr: string): [number, number] {
  const [ip, bits] = cidr.split('/');
  const n = (ip ?? '').split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return [n, n + size - 1];
}

describe('sandbox layout', () => {
  const layout = sandboxLayout('/tmp/sb', 20000);

  it('gives every cluster its own apiserver port and etcd prefix', () => {
    const ports = CLUSTERS.map((c) => layout.clusters[c].apiserverPort);
    const prefixes = CLUSTERS.map((c) => layout.clusters[c].etcdPrefix);
    assert.deepEqual(ports, [20010, 20011, 20012]);
    assert.equal(new Set(prefixes).size, 3);
  });

  it('never lets two pod or service ranges overlap', () => {
    const cidrs = CLUSTERS.flatMap((c) => [
      layout.clusters[c].serviceCIDR,
      layout.clusters[c].podCIDR,
    ]).filter((c): c is string => c !== undefined);
    for (const [i, a] of cidrs.entries()) {
      for (const b of cidrs.slice(i + 1)) {
        const [a0, a1] = range(a);
        const [b0, b1] = range(b);
        assert.ok(a1 < b0 || b1 < a0, `${a} overlaps ${b}`);
      }
    }
  });

  it('gives the hub no pod range and no node, as it runs no workloads', () => {
    assert.equal(layout.clusters.hub.podCIDR, undefined);
    assert.equal(layout.clusters.hub.nodeName, undefined);
    assert.ok(!allComponents().some((c) => c.component === 'kwok' && c.cluster === 'hub'));
  });

  it('puts each fake node IP and the first pod IP inside the member pod range, apart', () => {
    for (const m of ['member1', 'member2'] as const) {
      const c = layout.clusters[m];
      const [lo, hi] = range(c.podCIDR ?? '');
      const [node] = range(`${c.nodeIP}/32`);
      const [pod] = range(`${c.firstPodIP}/32`);
      assert.ok(node > lo && node <= hi, `${c.nodeIP} not a host address of ${c.podCIDR}`);
      assert.ok(pod > node && pod <= hi, `${c.firstPodIP} not after the node in ${c.podCIDR}`);
    }
  });

  it('keeps all listening ports below the range left for processes under test', () => {
    const ports = allComponents().flatMap((id) => portsOf(layout, id));
    assert.equal(new Set(ports).size, ports.length, 'a port is used twice');
    for (const p of ports) assert.ok(p >= layout.basePort && p < layout.freePortRange.from);
  });

  it('refuses a base port that leaves no room for 100 ports', () => {
    assert.throws(() => sandboxLayout('/tmp/sb', 65500), /base port 65500/);
    assert.throws(() => sandboxLayout('/tmp/sb', 80), /base port 80/);
  });

  it('names components after their cluster', () => {
    assert.equal(componentName({ component: 'kwok', cluster: 'member2' }), 'kwok-member2');
    assert.equal(componentName({ component: 'etcd' }), 'etcd');
  });
});

describe('sandbox command lines', () => {
  const layout = sandboxLayout('/tmp/sb', 20000);

  it('points every apiserver at the one etcd with its own prefix and service range', () => {
    for (const cluster of CLUSTERS) {
      const args = commandLine(layout, { component: 'kube-apiserver', cluster }, '/bin');
      assert.ok(args.includes('--etcd-servers=http://127.0.0.1:20000'));
      assert.ok(args.includes(`--etcd-prefix=/${cluster}`));
      assert.ok(args.includes(`--service-cluster-ip-range=${layout.clusters[cluster].serviceCIDR}`));
      assert.ok(args.includes('--bind-address=127.0.0.1'));
    }
  });

  it('runs the controllers the seed scenario needs in each member', () => {
    const args = commandLine(layout, { component: 'kube-controller-manager', cluster: 'member1' }, '/bin');
    const controllers =
      args
        .find((a) => a.startsWith('--controllers='))
        ?.split('=')[1]
        ?.split(',') ?? [];
    for (const c of [
      'deployment',
      'replicaset',
      'endpointslice',
      'namespace',
      'garbage-collector',
      'serviceaccount',
    ]) {
      assert.ok(controllers.includes(`${c}-controller`), `missing ${c}-controller`);
    }
  });

  it('runs a namespace controller on the hub too, so deleted namespaces go away', () => {
    const args = commandLine(layout, { component: 'kube-controller-manager', cluster: 'hub' }, '/bin');
    const controllers =
      args
        .find((a) => a.startsWith('--controllers='))
        ?.split('=')[1]
        ?.split(',') ?? [];
    assert.ok(controllers.includes('namespace-controller'));
    assert.ok(!controllers.includes('deployment-controller'), 'no workload controllers on a control plane');
  });

  it('gives kwok the member pod range and its stage files', () => {
    const args = commandLine(layout, { component: 'kwok', cluster: 'member2' }, '/bin');
    assert.ok(args.includes('--cidr=10.20.1.1/16'));
    assert.ok(args.some((a) => a === '--config=/bin/kwok-stages/pod/fast/pod-ready.yaml'));
  });

  it('refuses to build a kwok command for the hub', () => {
    assert.throws(() => commandLine(layout, { component: 'kwok', cluster: 'hub' }, '/bin'), /runs no kwok/);
  });
});
