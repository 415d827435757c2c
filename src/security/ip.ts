import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses `10.0.0.0/8`, `2001:db8::/32` or a single address; throws on anything else. */
export function parseCidr(entry: string): Range {
  if (entry.includes('/')) return ipaddr.parseCIDR(entry);
  const addr = ipaddr.parse(entry);
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

export function isValidCidr(entry: string): boolean {
  try {
    parseCidr(entry);
    return true;
  } catch {
    return false;
  }
}

/** IPv4-mapped IPv6 (`::ffff:10.0.0.1`, as dual-stack sockets report) compares as IPv4. */
function normalize(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (!ipaddr.isValid(ip)) return null;
  return ipaddr.process(ip);
}

/** A set of CIDRs; an address matches when it is inside any of them (same family only). */
export class CidrList {
  private readonly ranges: Range[];

  constructor(entries: readonly string[]) {
    this.ranges = entries.map(parseCidr);
  }

  get empty(): boolean {
    return this.ranges.length === 0;
  }

  contains(ip: string | undefined): boolean {
    const addr = ip ? normalize(ip) : null;
    if (!addr) return false;
    return this.ranges.some(([range, bits]) => {
      const r =
        range.kind() === 'ipv6' && (range as ipaddr.IPv6).isIPv4MappedAddress()
          ? (range as ipaddr.IPv6).toIPv4Address()
          : range;
      return r.kind() === addr.kind() && addr.match(r, bits);
    });
  }
}

/**
 * The client's address: the socket peer, unless the peer is a trusted proxy, in which case
 * X-Forwarded-For is walked from the right, skipping trusted proxies; the first untrusted hop is
 * the client. A forged header from an untrusted peer changes nothing.
 */
export function clientIp(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: CidrList,
): string | undefined {
  const peerAddr = peer ? normalize(peer)?.toString() : undefined;
  if (!peerAddr || !trusted.contains(peerAddr) || !forwardedFor) return peerAddr ?? peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let current = peerAddr;
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalize(hops[i])?.toString();
    if (!hop) return current; // a malformed hop: stop at the last address we can vouch for
    current = hop;
    if (!trusted.contains(hop)) return hop;
  }
  return current;
}
