/**
 * Which IP addresses a webhook may be delivered to: globally routable unicast only.
 *
 * This is the delivery-time half of the SSRF defence (the URL policy is the configuration-time
 * half). Everything that can reach the inside of our own network, the cloud metadata service
 * (169.254.169.254) or a neighbour's network is refused; so is anything that is not plainly a
 * public unicast destination (multicast, documentation, benchmarking, reserved space).
 *
 * We use our own explicit tables instead of ipaddr.js's `range()` because its range names mix
 * globally reachable anycast blocks with non-routable ones and its first-match order is an
 * implementation detail; an explicit, reviewed list is easier to audit.
 *
 * Parsing is strict on purpose: only the standard dotted quad (no octal, hex, or short forms)
 * and standard IPv6 text are accepted. The sender connects to the very string judged here, so
 * a lenient parser here and a different parser in the socket layer could disagree.
 */
import ipaddr from 'ipaddr.js';

type Cidr<T> = { readonly base: T; readonly bits: number; readonly label: string };

const PUBLIC = 'public';
const NOT_AN_ADDRESS = 'not an IP address';

function v4(cidr: string, label: string): Cidr<ipaddr.IPv4> {
  const [base, bits] = ipaddr.IPv4.parseCIDR(cidr);
  return { base, bits, label };
}

function v6(cidr: string, label: string): Cidr<ipaddr.IPv6> {
  const [base, bits] = ipaddr.IPv6.parseCIDR(cidr);
  return { base, bits, label };
}

/** Non-public IPv4 blocks (IANA special-purpose registry and friends). First match wins. */
const V4_BLOCKED: ReadonlyArray<Cidr<ipaddr.IPv4>> = [
  v4('0.0.0.0/32', 'unspecified'),
  v4('0.0.0.0/8', 'this-network'),
  v4('10.0.0.0/8', 'private'),
  v4('172.16.0.0/12', 'private'),
  v4('192.168.0.0/16', 'private'),
  v4('100.64.0.0/10', 'carrier-grade NAT'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('192.0.0.0/24', 'IETF protocol assignment'),
  v4('192.0.2.0/24', 'documentation'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  // Deprecated 6to4 relay anycast (RFC 7526): nothing legitimate listens there any more.
  v4('192.88.99.0/24', '6to4 relay'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('224.0.0.0/4', 'multicast'),
  v4('255.255.255.255/32', 'broadcast'),
  v4('240.0.0.0/4', 'reserved'),
];

/**
 * IPv6 blocks whose low 32 bits carry an IPv4 address that the packet effectively goes to;
 * those are judged by the embedded address rather than refused or allowed wholesale.
 */
const V6_EMBEDDING: ReadonlyArray<Cidr<ipaddr.IPv6>> = [
  v6('::ffff:0:0/96', 'IPv4-mapped'),
  v6('64:ff9b::/96', 'NAT64'),
];

/** Non-public IPv6 blocks. First match wins, so narrower blocks come before wider ones. */
const V6_BLOCKED: ReadonlyArray<Cidr<ipaddr.IPv6>> = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  // Deprecated IPv4-compatible form (RFC 4291 §2.5.5.1): never routed, so nothing to judge.
  v6('::/96', 'IPv4-compatible'),
  v6('::ffff:0:0:0/96', 'IPv4-translated'),
  v6('64:ff9b:1::/48', 'local-use NAT64'),
  v6('100::/64', 'discard-only'),
  // Teredo and 6to4 tunnel to an IPv4 address of the sender's choosing: refuse outright.
  v6('2001::/32', 'Teredo'),
  v6('2001::/23', 'IETF protocol assignment'),
  v6('2001:db8::/32', 'documentation'),
  v6('3fff::/20', 'documentation'),
  v6('2002::/16', '6to4'),
  v6('fc00::/7', 'unique local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local'),
  v6('ff00::/8', 'multicast'),
];

/** Only 2000::/3 is allocated as global unicast; everything else is reserved or special. */
const V6_GLOBAL_UNICAST = v6('2000::/3', 'global unicast');

function classifyV4(address: ipaddr.IPv4): string {
  const hit = V4_BLOCKED.find((c) => address.match(c.base, c.bits));
  return hit ? hit.label : PUBLIC;
}

function classifyV6(address: ipaddr.IPv6): string {
  const embedding = V6_EMBEDDING.find((c) => address.match(c.base, c.bits));
  if (embedding) {
    const [a, b, c, d] = address.toByteArray().slice(12);
    const inner = classifyV4(new ipaddr.IPv4([a!, b!, c!, d!]));
    return inner === PUBLIC ? PUBLIC : `${embedding.label} ${inner}`;
  }
  const hit = V6_BLOCKED.find((c) => address.match(c.base, c.bits));
  if (hit) return hit.label;
  if (!address.match(V6_GLOBAL_UNICAST.base, V6_GLOBAL_UNICAST.bits)) return 'reserved';
  return PUBLIC;
}

/** The class name of an address, `public`, or NOT_AN_ADDRESS; never throws. */
function classify(address: string): string {
  if (typeof address !== 'string') return NOT_AN_ADDRESS;
  try {
    if (ipaddr.IPv4.isValidFourPartDecimal(address)) {
      return classifyV4(ipaddr.IPv4.parse(address));
    }
    if (!address.includes(':') || !ipaddr.IPv6.isValid(address)) return NOT_AN_ADDRESS;
    // ipaddr.js reads a trailing dotted quad leniently (e.g. leading zeros); insist on the
    // standard form so there is exactly one reading of the address.
    const dotted = /:([^:%]*\.[^:%]*)(%.*)?$/.exec(address);
    if (dotted && !ipaddr.IPv4.isValidFourPartDecimal(dotted[1]!)) return NOT_AN_ADDRESS;
    // ipaddr.js reads `::a.b.c.d` as the mapped `::ffff:a.b.c.d`, but the socket layer reads it
    // as the (never routed) IPv4-compatible form; go with the socket layer's reading.
    if (/^::[^:]*\./.test(address)) return 'IPv4-compatible';
    const parsed = ipaddr.IPv6.parse(address);
    const kind = classifyV6(parsed);
    // A zone id only means something for link-local scope; a "public" address with one is
    // not a plain global destination, so it is refused too.
    if (kind === PUBLIC && parsed.zoneId !== undefined) return 'scoped (zone id)';
    return kind;
  } catch {
    return NOT_AN_ADDRESS;
  }
}

/**
 * True only for a globally routable unicast address in standard notation (dotted quad or
 * IPv6 text). IPv4-mapped (`::ffff:a.b.c.d`) and NAT64 (`64:ff9b::/96`) addresses are judged by
 * the embedded IPv4 address. Anything unparseable is false. Never throws.
 */
export function isPublicAddress(address: string): boolean {
  return classify(address) === PUBLIC;
}

/**
 * A short human name for the address's class, for error messages: `public`, `loopback`,
 * `private`, `link-local`, `IPv4-mapped loopback`, …, or `not an IP address`. Never throws.
 */
export function describeAddressClass(address: string): string {
  return classify(address);
}
