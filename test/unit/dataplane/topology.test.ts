import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  dataPlaneTopology,
  netnsPrefix,
  nthAddress,
  podNetns,
  podVeth,
  resolvConf,
} from '../../dataplane/topology.ts';
import { sandboxLayout } from '../../sandbox/layout.ts';

describe('data-plane topology', () => {
  const topology = dataPlaneTopology(sandboxLayout('/tmp/sb', 20000));

  it("gives each member's node the address kwok reports for its node, inside its pod range", () => {
    assert.equal(topology.nodes.member1.ip, '10.10.0.1');
    assert.equal(topology.nodes.member2.ip, '10.20.0.1');
    assert.equal(topology.nodes.member1.podCIDR, '10.10.0.0/16');
    assert.equal(topology.nodes.member2.podCIDR, '10.20.0.0/16');
  });

  it("names every namespace with the sandbox's prefix, so cleanup finds exactly its own", () => {
    const names = [
      topology.nodes.member1.netns,
      topology.nodes.member2.netns,
      topology.clientNetns,
      podNetns(topology, 'member1', '10.10.1.7'),
    ];
    for (const n of names) assert.ok(n.startsWith(`${topology.prefix}-`), n);
    assert.equal(new Set(names).size, names.length);
    assert.equal(podNetns(topology, 'member1', '10.10.1.7'), `${topology.prefix}-member1-pod-10-10-1-7`);
  });

  it('gives two sandbox folders different prefixes, and one folder always the same', () => {
    assert.notEqual(netnsPrefix('/tmp/a'), netnsPrefix('/tmp/b'));
    assert.equal(netnsPrefix('/tmp/a'), netnsPrefix('/tmp/a'));
    assert.match(netnsPrefix('/tmp/a'), /^mcsb-[0-9a-f]{8}$/);
  });

  it("keeps a pod veth's name within the kernel's 15 characters for any address of a /16", () => {
    assert.equal(podVeth('10.10.1.1'), 'pod-1-1');
    assert.ok(podVeth('10.10.255.255').length <= 15);
  });

  it("puts kube-dns at the 10th address of member2's service range, as kubeadm does", () => {
    assert.equal(topology.dnsServiceIP, '10.98.0.10');
  });

  it('writes the resolv.conf a kubelet gives a ClusterFirst pod in the namespace', () => {
    assert.equal(
      resolvConf(topology, 'default'),
      'nameserver 10.98.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n',
    );
  });

  it('links the nodes with one device each, named after the peer', () => {
    assert.equal(topology.nodes.member1.linkDevice, 'to-member2');
    assert.equal(topology.nodes.member2.linkDevice, 'to-member1');
  });
});

describe('nthAddress', () => {
  const cases: Array<[string, number, string]> = [
    ['10.98.0.0/16', 10, '10.98.0.10'],
    ['10.98.0.0/16', 256, '10.98.1.0'],
    ['192.168.1.0/24', 255, '192.168.1.255'],
  ];
  for (const [cidr, n, want] of cases) {
    it(`gives ${want} as address ${n} of ${cidr}`, () => assert.equal(nthAddress(cidr, n), want));
  }

  it('refuses an address past the end of the range, and a malformed range', () => {
    assert.throws(() => nthAddress('192.168.1.0/24', 256), /192\.168\.1\.0\/24 has no address number 256/);
    assert.throws(() => nthAddress('10.300.0.0/16', 1), /'10\.300\.0\.0\/16' is not an IPv4 CIDR/);
  });
});
