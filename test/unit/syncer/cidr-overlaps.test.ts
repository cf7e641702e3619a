import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contains, parseAddress, parseCidr, serviceRangeBound } from '../../../syncer/network/cidr.ts';
import {
  type ConsumerRanges,
  findOverlaps,
  type OwnRange,
  overlapCondition,
} from '../../../syncer/network/overlaps.ts';

const pod = (cidr: string, node = 'member3-node'): OwnRange => ({
  cidr,
  kind: 'pod',
  origin: `node ${node}`,
  exact: true,
});
const svc = (cidr: string, exact = true): OwnRange => ({
  cidr,
  kind: 'service',
  origin: exact ? 'ServiceCIDR kubernetes' : 'a bound',
  exact,
});
const consumer = (cluster: string, ranges: OwnRange[], unknown: string[] = []): ConsumerRanges => ({
  cluster,
  ranges: { ranges, unknown },
});

describe('CIDRs', () => {
  const cases: [string, string, string, boolean][] = [
    ['an address inside an IPv4 /16 is contained', '10.10.0.0/16', '10.10.1.1', true],
    ['the first address past a /16 is not', '10.10.0.0/16', '10.11.0.0', false],
    ['a CIDR written with host bits still means its network', '10.10.7.7/16', '10.10.200.1', true],
    ['an IPv6 address inside an IPv6 /64 is contained', 'fd00:10:10::/64', 'fd00:10:10::1:2', true],
    ['an IPv4 address is never inside an IPv6 range', 'fd00::/8', '10.10.1.1', false],
    ['an IPv4-mapped IPv6 address counts as its IPv4 address', '10.10.0.0/16', '::ffff:10.10.1.1', true],
  ];
  for (const [name, cidr, ip, expected] of cases) {
    it(name, () => {
      const range = parseCidr(cidr);
      const address = parseAddress(ip);
      assert.ok(range && address);
      assert.equal(contains(range, address), expected);
    });
  }

  it('refuses what is not a CIDR or an address', () => {
    for (const bad of ['10.10.0.0', '10.10.0.0/33', 'ten/8', ''])
      assert.equal(parseCidr(bad), undefined, bad);
    for (const bad of ['10.10.0.256', 'nginx', '']) assert.equal(parseAddress(bad), undefined, bad);
  });

  const bounds: [string, string, string][] = [
    ["bounds kubeadm's default range by the /12 the API server allows at most", '10.96.0.1', '10.96.0.0/12'],
    ['bounds a range by its alignment when that is narrower than a /12', '10.98.0.1', '10.98.0.0/15'],
    ['bounds an IPv6 range by the /108 the API server allows at most', 'fd00:10:96::1', 'fd00:10:96::/108'],
  ];
  for (const [name, clusterIP, expected] of bounds) {
    it(name, () => assert.equal(serviceRangeBound(clusterIP)?.text, expected));
  }
  it('bounds nothing from a ClusterIP that is not an address', () => {
    assert.equal(serviceRangeBound('None'), undefined);
  });
});

describe('findOverlaps', () => {
  it("finds a provider's endpoint inside a consumer's pod CIDR, naming both clusters, the IP and the CIDR", () => {
    const found = findOverlaps(
      [{ cluster: 'member1', addresses: ['10.10.1.1', '10.10.1.2'] }],
      [consumer('member2', [svc('10.98.0.0/16')]), consumer('member3', [pod('10.10.0.0/16')])],
    );
    assert.deepEqual(
      found.map((o) => [o.provider, o.consumer, o.ip, o.range.cidr]),
      [
        ['member1', 'member3', '10.10.1.1', '10.10.0.0/16'],
        ['member1', 'member3', '10.10.1.2', '10.10.0.0/16'],
      ],
    );
  });

  it("never checks a cluster's own endpoints against itself (they are not dispatched there)", () => {
    const found = findOverlaps(
      [{ cluster: 'member1', addresses: ['10.10.1.1'] }],
      [consumer('member1', [pod('10.10.0.0/16')])],
    );
    assert.deepEqual(found, []);
  });

  it('reports an address once per consumer, against an exact range before a bound', () => {
    const found = findOverlaps(
      [{ cluster: 'member1', addresses: ['10.96.0.20', '10.96.0.20'] }],
      [consumer('member2', [svc('10.96.0.0/12', false), svc('10.96.0.0/16')])],
    );
    assert.equal(found.length, 1);
    assert.equal(found[0]?.range.exact, true);
  });

  it('ignores addresses and ranges it cannot parse instead of failing', () => {
    const found = findOverlaps(
      [{ cluster: 'member1', addresses: ['not-an-ip', '10.10.1.1'] }],
      [consumer('member2', [pod('garbage'), pod('10.10.1.0/24')])],
    );
    assert.deepEqual(
      found.map((o) => o.ip),
      ['10.10.1.1'],
    );
  });
});

describe('overlapCondition', () => {
  it('is False with CIDROverlap, and says which endpoints, from where, inside what', () => {
    const consumers = [consumer('member3', [pod('10.10.0.0/16')])];
    const c = overlapCondition(
      findOverlaps([{ cluster: 'member1', addresses: ['10.10.1.1', '10.10.1.2'] }], consumers),
      consumers,
    );
    assert.equal(c.status, 'False');
    assert.equal(c.reason, 'CIDROverlap');
    assert.equal(
      c.message,
      "endpoints 10.10.1.1, 10.10.1.2 from member1 are inside member3's pod CIDR 10.10.0.0/16 (node member3-node): member3 routes them to itself, not to member1",
    );
  });

  it('says "may be inside" for a range that is only a bound', () => {
    const consumers = [consumer('member2', [svc('10.96.0.0/12', false)])];
    const c = overlapCondition(
      findOverlaps([{ cluster: 'member1', addresses: ['10.100.0.5'] }], consumers),
      consumers,
    );
    assert.match(
      c.message,
      /^endpoint 10\.100\.0\.5 from member1 may be inside member2's Service CIDR 10\.96\.0\.0\/12/,
    );
  });

  it('keeps a message about many overlaps short', () => {
    const ranges = Array.from({ length: 10 }, (_, i) => pod(`10.${i}.0.0/16`, `n${i}`));
    const consumers = [consumer('member2', ranges)];
    const addresses = Array.from({ length: 10 }, (_, i) =>
      Array.from({ length: 9 }, (_, j) => `10.${i}.0.${j + 1}`),
    ).flat();
    const c = overlapCondition(findOverlaps([{ cluster: 'member1', addresses }], consumers), consumers);
    assert.match(c.message, /; and 5 more$/);
    assert.ok(c.message.length < 2_000, `${c.message.length} characters`);
    assert.match(c.message, /10\.0\.0\.1, 10\.0\.0\.2, 10\.0\.0\.3, 10\.0\.0\.4 and 5 more from member1/);
  });

  it('is Unknown, naming the cluster and the cause, when a consumer cannot be read and nothing overlaps', () => {
    const c = overlapCondition(
      [],
      [consumer('member2', [], ['cannot list nodes: nodes is forbidden (HTTP 403)'])],
    );
    assert.deepEqual([c.status, c.reason], ['Unknown', 'ConsumerCIDRsUnknown']);
    assert.match(c.message, /member2: cannot list nodes: nodes is forbidden \(HTTP 403\)/);
  });

  it('is True, counting what was checked, when no endpoint overlaps', () => {
    const c = overlapCondition([], [consumer('member2', [svc('10.98.0.0/16')])]);
    assert.deepEqual(c, {
      status: 'True',
      reason: 'NoCIDROverlap',
      message:
        "no provider endpoint lies inside a consumer's own pod or Service CIDRs; checked member2 (no pod CIDRs, 1 Service CIDR)",
    });
  });
});
