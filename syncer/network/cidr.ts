/**
 * IP addresses and ranges as the overlap check compares them (IPv4 and IPv6, parsed by
 * ipaddr.js), and the bound on a Service range that the `kubernetes` Service's ClusterIP
 * implies, for clusters that do not serve the ServiceCIDR API. Pure.
 */
import ipaddr from 'ipaddr.js';

/** A parsed CIDR. */
export interface Cidr {
  /** The network in canonical form, e.g. `10.10.0.0/16` (host bits cleared). */
  readonly text: string;
  readonly kind: 'ipv4' | 'ipv6';
  readonly network: ipaddr.IPv4 | ipaddr.IPv6;
  readonly prefix: number;
}

/** A parsed address: IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) count as the IPv4 address. */
export type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Parses an address; undefined when it is not one. */
export function parseAddress(text: string): Address | undefined {
  if (!ipaddr.isValid(text)) return undefined;
  return ipaddr.process(text);
}

/** Parses a CIDR (`10.10.0.0/16`, `fd00::/64`); undefined when it is not one. */
export function parseCidr(text: string): Cidr | undefined {
  if (!ipaddr.isValidCIDR(text)) return undefined;
  const [addr, prefix] = ipaddr.parseCIDR(text);
  const network = fromBigInt(toBigInt(addr) & mask(addr.kind(), prefix), addr.kind());
  return { text: `${network.toString()}/${prefix}`, kind: addr.kind(), network, prefix };
}

/** Whether `address` lies inside `cidr` (an address of the other family never does). */
export function contains(cidr: Cidr, address: Address): boolean {
  if (address.kind() !== cidr.kind) return false;
  return (toBigInt(address) & mask(cidr.kind, cidr.prefix)) === toBigInt(cidr.network);
}

/**
 * The widest Service range a cluster can have whose `kubernetes` Service holds `clusterIP`.
 * The API server gives that Service the first address after the range's network address, so
 * the network address is `clusterIP - 1`; the range is then some prefix aligned on it, and no
 * wider than the API server accepts (a /12 for IPv4, a /108 for IPv6: at most 20 host bits).
 * Only an upper bound: an address inside it *may* be a Service address. Undefined when the
 * ClusterIP is not an address (a headless `kubernetes` Service cannot exist, but be safe).
 */
export function serviceRangeBound(clusterIP: string): Cidr | undefined {
  const ip = parseAddress(clusterIP);
  if (!ip) return undefined;
  const kind = ip.kind();
  const bits = kind === 'ipv4' ? 32 : 128;
  const value = toBigInt(ip);
  if (value === 0n) return undefined;
  const network = value - 1n;
  let aligned = 0;
  while (aligned < bits && ((network >> BigInt(aligned)) & 1n) === 0n) aligned++;
  const prefix = Math.max(bits - 20, bits - aligned);
  return parseCidr(`${fromBigInt(network, kind).toString()}/${prefix}`);
}

function width(kind: 'ipv4' | 'ipv6'): number {
  return kind === 'ipv4' ? 32 : 128;
}

function mask(kind: 'ipv4' | 'ipv6', prefix: number): bigint {
  const bits = width(kind);
  return ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
}

function toBigInt(addr: Address): bigint {
  return addr.toByteArray().reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n);
}

function fromBigInt(value: bigint, kind: 'ipv4' | 'ipv6'): Address {
  const bytes: number[] = [];
  for (let i = 0; i < width(kind) / 8; i++) bytes.unshift(Number((value >> BigInt(8 * i)) & 0xffn));
  return ipaddr.fromByteArray(bytes);
}
