/**
 * IP addresses and CIDRs (IPv4 and IPv6), parsed and compared with ipaddr.js. Validation follows
 * the API server's strict rules for new values (kubernetes `staging/src/k8s.io/apimachinery/pkg/
 * util/validation/ip.go`, `IsValidCIDR` / `parseCIDR` with StrictIPCIDRValidation, used by
 * `ValidateIPBlock` in `pkg/apis/networking/validation/validation.go`): no leading zeros, no
 * IPv4-mapped IPv6, no bits set beyond the prefix length, and an `except` must be a strict subset
 * of its `cidr`.
 */
import ipaddr from 'ipaddr.js';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;
export interface Cidr {
  readonly address: Address;
  readonly bits: number;
}

const IPV4_DOTTED = /^(0|[1-9]\d{0,2})(\.(0|[1-9]\d{0,2})){3}$/;
const PREFIX = /^(0|[1-9]\d{0,2})$/;
const EXAMPLE = 'such as 10.0.0.0/16 or 2001:db8::/64';
const HOST_BITS = 'a CIDR with no bits set beyond the prefix length';

/** An address as the API server would accept it, or undefined (`10.0.0.1`, `2001:db8::1`). */
export function parseAddress(text: string): Address | undefined {
  if (text.includes('.') && !text.includes(':')) {
    return IPV4_DOTTED.test(text) && ipaddr.IPv4.isValidFourPartDecimal(text)
      ? ipaddr.IPv4.parse(text)
      : undefined;
  }
  if (!text.includes(':') || text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
  const a = ipaddr.IPv6.parse(text);
  // The API server rejects IPv4-mapped IPv6 (::ffff:10.0.0.1): write the IPv4 address instead.
  return a.isIPv4MappedAddress() ? undefined : a;
}

/** Why `text` is not a CIDR the API server accepts as a new value, or undefined when it is. */
export function cidrProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? undefined : parseAddress(text.slice(0, slash));
  const prefix = slash < 0 ? '' : text.slice(slash + 1);
  const max = address?.kind() === 'ipv6' ? 128 : 32;
  if (!address || !PREFIX.test(prefix) || Number(prefix) > max) return `an IPv4 or IPv6 CIDR ${EXAMPLE}`;
  const network = networkOf({ address, bits: Number(prefix) });
  if (network.toString() !== address.toString())
    return `${HOST_BITS} (${network.toString()}/${prefix}, or ${address.toString()}/${max} for the one address)`;
  return undefined;
}

/**
 * A CIDR, or undefined when invalid. `legacy`: like the API server for NetworkPolicy ipBlocks
 * (a legacy field), accept bits set beyond the prefix and use the network they belong to.
 */
export function parseCidr(text: string, legacy = false): Cidr | undefined {
  const problem = cidrProblem(text);
  if (problem !== undefined && !(legacy && problem.startsWith(HOST_BITS))) return undefined;
  const [address, bits] = ipaddr.parseCIDR(text);
  return { address: networkOf({ address, bits }), bits };
}

function networkOf(c: Cidr): Address {
  const bytes = c.address.toByteArray();
  return ipaddr.fromByteArray(
    bytes.map((b, i) => {
      const keep = Math.max(0, Math.min(8, c.bits - i * 8));
      return b & ((0xff << (8 - keep)) & 0xff);
    }),
  ) as Address;
}

/** Whether `address` lies in `cidr`; different families never match (as in the API server). */
export function cidrContains(cidr: Cidr, address: Address): boolean {
  return cidr.address.kind() === address.kind() && address.match(cidr.address, cidr.bits);
}

/** `inner` strictly inside `outer` (ValidateIPBlock's rule for `except`). */
export function strictSubset(inner: Cidr, outer: Cidr): boolean {
  return inner.bits > outer.bits && cidrContains(outer, inner.address);
}

/**
 * An address to probe a CIDR with: the first host address (10.0.0.0/16 → 10.0.0.1), or the
 * network's own address when it has no room for hosts (a /32 or /128 is exactly one address;
 * a /31 or /127 is two, both usable).
 */
export function probeAddress(cidr: Cidr): string {
  const width = cidr.address.kind() === 'ipv6' ? 128 : 32;
  const network = networkOf(cidr);
  if (cidr.bits >= width - 1) return network.toString();
  const bytes = network.toByteArray();
  bytes[bytes.length - 1] = bytes[bytes.length - 1]! + 1;
  return ipaddr.fromByteArray(bytes).toString();
}

/**
 * The cloud instance-metadata endpoints (AWS, GCP and Azure share 169.254.169.254; AWS's IPv6
 * one is fd00:ec2::254). A pod that reaches one acts with the node's cloud identity: on EKS the
 * node role authenticates to the cluster as the node itself.
 */
export const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254'] as const;

/** The metadata endpoints inside `cidr`, as /32 or /128 CIDRs to put in an ipBlock's except. */
export function metadataInside(cidr: Cidr): string[] {
  return METADATA_ADDRESSES.filter((a) => cidrContains(cidr, parseAddress(a)!)).map(
    (a) => `${a}/${a.includes(':') ? 128 : 32}`,
  );
}
