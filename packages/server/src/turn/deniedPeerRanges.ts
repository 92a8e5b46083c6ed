import { isIPv4, isIPv6 } from 'node:net';

/** A special-purpose address block TURN must never relay to. */
export interface DeniedRange {
  /** CIDR as in the IANA registry, e.g. `127.0.0.0/8`. */
  cidr: string;
  /** Why it is denied (goes into the coturn config as a comment). */
  why: string;
}

/**
 * IPv4 special-purpose blocks (IANA IPv4 Special-Purpose Address Registry, RFC 6890) a
 * relay must not reach: they lead into the server's own host or network (SSRF through
 * TURN: metadata services, admin ports, other tenants' hosts).
 */
export const DENIED_IPV4: readonly DeniedRange[] = [
  { cidr: '0.0.0.0/8', why: '"this network"; 0.0.0.0 reaches the local host' },
  { cidr: '10.0.0.0/8', why: 'private (RFC 1918)' },
  { cidr: '100.64.0.0/10', why: 'carrier-grade NAT shared space (RFC 6598)' },
  { cidr: '127.0.0.0/8', why: 'loopback' },
  { cidr: '169.254.0.0/16', why: 'link-local, incl. cloud metadata 169.254.169.254' },
  { cidr: '172.16.0.0/12', why: 'private (RFC 1918)' },
  { cidr: '192.0.0.0/24', why: 'IETF protocol assignments' },
  { cidr: '192.0.2.0/24', why: 'documentation (TEST-NET-1)' },
  { cidr: '192.88.99.0/24', why: '6to4 relay anycast (deprecated)' },
  { cidr: '192.168.0.0/16', why: 'private (RFC 1918)' },
  { cidr: '198.18.0.0/15', why: 'benchmarking' },
  { cidr: '198.51.100.0/24', why: 'documentation (TEST-NET-2)' },
  { cidr: '203.0.113.0/24', why: 'documentation (TEST-NET-3)' },
  { cidr: '224.0.0.0/4', why: 'multicast' },
  { cidr: '240.0.0.0/4', why: 'reserved, incl. broadcast 255.255.255.255' },
];

/** IPv6 special-purpose blocks (IANA IPv6 Special-Purpose Address Registry). */
export const DENIED_IPV6: readonly DeniedRange[] = [
  { cidr: '::/96', why: 'unspecified :: (reaches the local host), loopback ::1, IPv4-compatible' },
  { cidr: '::ffff:0:0/96', why: 'IPv4-mapped: any IPv4 in IPv6 clothing (coturn loopback bypass)' },
  { cidr: '64:ff9b:1::/48', why: 'local-use IPv4/IPv6 translation' },
  { cidr: '100::/64', why: 'discard-only' },
  { cidr: '2001::/23', why: 'IETF protocol assignments (Teredo, ORCHID, …)' },
  { cidr: '2001:db8::/32', why: 'documentation' },
  { cidr: '2002::/16', why: '6to4: embeds an IPv4 address' },
  { cidr: 'fc00::/7', why: 'unique local (private)' },
  { cidr: 'fe80::/10', why: 'link-local' },
  { cidr: 'fec0::/10', why: 'site-local (deprecated)' },
  { cidr: 'ff00::/8', why: 'multicast' },
];

/** Loopback blocks, in every form, that only the test profile may open. */
export const LOOPBACK_CIDRS: readonly string[] = ['127.0.0.0/8', '::1/128', '::ffff:127.0.0.0/104'];

function v4ToBig(ip: string): bigint {
  return ip.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
}

function v6ToBig(ip: string): bigint {
  let text = ip;
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (isIPv4(tail)) {
    const n = v4ToBig(tail);
    text = `${text.slice(0, text.lastIndexOf(':') + 1)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const r = rest === undefined || rest === '' ? [] : rest.split(':');
  const groups =
    rest === undefined ? h : [...h, ...new Array<string>(8 - h.length - r.length).fill('0'), ...r];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function bigToV4(n: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => Number((n >> s) & 0xffn)).join('.');
}

function bigToV6(n: bigint): string {
  const groups: string[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) groups.push(((n >> s) & 0xffffn).toString(16));
  // Full form: unambiguous for coturn's parser and for a reader comparing ranges.
  return groups.join(':');
}

/**
 * `a.b.c.d/n`, `v6/n` or an explicit `first-last` to the inclusive range coturn's
 * `*-peer-ip` options take.
 */
export function cidrToRange(cidr: string): { first: string; last: string } {
  if (cidr.includes('-')) {
    const [first, last] = cidr.split('-') as [string, string];
    return { first, last };
  }
  const [ip, bitsText] = cidr.split('/') as [string, string | undefined];
  const v4 = isIPv4(ip);
  if (!v4 && !isIPv6(ip)) throw new Error(`not a CIDR block: ${cidr}`);
  const width = v4 ? 32n : 128n;
  const bits = BigInt(bitsText === undefined ? Number(width) : Number(bitsText));
  if (bits < 0n || bits > width) throw new Error(`bad prefix length in ${cidr}`);
  const value = v4 ? v4ToBig(ip) : v6ToBig(ip);
  const hostMask = (1n << (width - bits)) - 1n;
  const first = value & ~hostMask;
  const last = first | hostMask;
  const fmt = v4 ? bigToV4 : bigToV6;
  return { first: fmt(first), last: fmt(last) };
}

/**
 * The `denied-peer-ip` / `allowed-peer-ip` value for a block. coturn 4.6 treats a range
 * whose first address is all-zero (`0.0.0.0`, `::`) as matching every peer of any family
 * (measured: `denied-peer-ip=::` refuses 8.8.8.8), so such a range starts one address
 * later; coturn itself refuses the all-zero peers (CVE-2020-26262 fix), which the
 * integration test checks. A block that is only the all-zero address yields undefined.
 */
export function coturnRange(cidr: string): string | undefined {
  const { first, last } = cidrToRange(cidr);
  const zero = first === '0.0.0.0' || /^(0:){7}0$/.test(first);
  if (zero && first === last) return undefined;
  const start = !zero ? first : first.includes(':') ? '0:0:0:0:0:0:0:1' : '0.0.0.1';
  return start === last ? start : `${start}-${last}`;
}

/** The IPv4 block as IPv4-mapped IPv6 (`::ffff:a.b.c.d/96+n`). */
export function mappedCidr(cidr: string): string {
  const [ip, bits] = cidr.split('/') as [string, string];
  return `::ffff:${ip}/${96 + Number(bits)}`;
}

/** The IPv4 block inside the well-known NAT64 prefix (`64:ff9b::a.b.c.d/96+n`). */
export function nat64Cidr(cidr: string): string {
  const [ip, bits] = cidr.split('/') as [string, string];
  return `64:ff9b::${ip}/${96 + Number(bits)}`;
}

/**
 * Every denied block (CIDR, or `first-last` where a block is split): the IPv4 list, each IPv4 block again in its IPv4-mapped and
 * NAT64 IPv6 forms (a peer address can name an IPv4 host either way), and the IPv6 list.
 * `allowLoopback` leaves the loopback blocks out (test profile only).
 */
export function deniedPeerCidrs(options: { allowLoopback?: boolean } = {}): string[] {
  const out: string[] = [];
  for (const r of DENIED_IPV4) {
    if (options.allowLoopback && r.cidr === '127.0.0.0/8') continue;
    out.push(r.cidr, mappedCidr(r.cidr), nat64Cidr(r.cidr));
  }
  for (const r of DENIED_IPV6) {
    if (options.allowLoopback && (r.cidr === '::/96' || r.cidr === '::ffff:0:0/96')) {
      // Keep :: and the non-loopback parts denied; only ::1 and ::ffff:127/8 open up.
      out.push(...splitAround(r.cidr));
      continue;
    }
    out.push(r.cidr);
  }
  return out;
}

/** `::/96` minus `::1`, and `::ffff:0:0/96` minus `::ffff:127.0.0.0/104` (test profile). */
function splitAround(cidr: string): string[] {
  if (cidr === '::/96') return ['::2-::ffff:ffff'];
  return ['::ffff:0.0.0.0-::ffff:126.255.255.255', '::ffff:128.0.0.0-::ffff:255.255.255.255'];
}
