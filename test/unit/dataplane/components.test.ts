import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  corefile,
  DATAPLANE_MANAGER,
  DNS_SLICE_NAME,
  dnsEndpointSlice,
  dnsService,
} from '../../dataplane/coredns.ts';
import { kubeProxyConfig } from '../../dataplane/kube-proxy.ts';
import { dataPlaneTopology } from '../../dataplane/topology.ts';
import { sandboxLayout } from '../../sandbox/layout.ts';

const node = dataPlaneTopology(sandboxLayout('/tmp/sb', 20000)).nodes.member2;

describe("member2's kube-proxy configuration", () => {
  const config = kubeProxyConfig(node, 'member2-node', '/k/member2.kubeconfig') as Record<string, unknown>;

  it("runs in nftables mode as member2's node, against member2's apiserver", () => {
    assert.equal(config.mode, 'nftables');
    assert.equal(config.hostnameOverride, 'member2-node');
    assert.deepEqual((config.clientConnection as { kubeconfig: string }).kubeconfig, '/k/member2.kubeconfig');
  });

  it("treats member2's pod range as local, so its pods' requests keep their source address", () => {
    assert.equal(config.clusterCIDR, '10.20.0.0/16');
    assert.equal(config.detectLocalMode, 'ClusterCIDR');
  });

  it("leaves the kernel's machine-wide conntrack settings alone", () => {
    assert.deepEqual(config.conntrack, {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
    });
  });
});

describe("member2's CoreDNS and kube-dns", () => {
  const text = corefile(node, '/k/member2.kubeconfig', 'member2');

  it("serves cluster.local from member2's apiserver through the kubeconfig's context", () => {
    assert.match(text, /kubernetes cluster\.local in-addr\.arpa ip6\.arpa \{/);
    assert.match(text, /kubeconfig \/k\/member2\.kubeconfig member2/);
  });

  it("listens on the node's address only, and caches nothing beyond the records' TTL", () => {
    assert.match(text, /bind 10\.20\.0\.1\n/);
    assert.doesNotMatch(text, /\bcache\b/);
    assert.doesNotMatch(text, /\bforward\b/);
  });

  it('makes kube-dns a selectorless Service whose one slice, ours, points at CoreDNS on the node', () => {
    const svc = dnsService('10.98.0.10');
    assert.equal(svc.spec?.clusterIP, '10.98.0.10');
    assert.equal(svc.spec?.selector, undefined, 'no selector: the EndpointSlice controller leaves it alone');
    const slice = dnsEndpointSlice(node, 'member2-node');
    assert.equal(slice.metadata?.name, DNS_SLICE_NAME);
    assert.equal(slice.metadata?.labels?.['kubernetes.io/service-name'], 'kube-dns');
    assert.equal(slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], DATAPLANE_MANAGER);
    assert.deepEqual(
      (slice.endpoints ?? []).map((e) => e.addresses),
      [['10.20.0.1']],
    );
    assert.deepEqual(
      slice.ports?.map((p) => `${p.protocol}/${p.port}`),
      ['UDP/53', 'TCP/53'],
    );
  });
});
