/**
 * SDP text fixes applied around werift. Pure functions on SDP strings, so they can be
 * unit-tested without a peer connection.
 */

function splitLines(sdp: string): string[] {
  return sdp.split(/\r?\n/).filter((line, i, all) => line !== '' || i < all.length - 1);
}

function joinLines(lines: string[]): string {
  const body = lines.filter((l) => l !== '').join('\r\n');
  return `${body}\r\n`;
}

/** The mids of every `a=group:BUNDLE` line. */
export function bundledMids(sdp: string): Set<string> {
  const mids = new Set<string>();
  for (const line of splitLines(sdp)) {
    if (line.startsWith('a=group:BUNDLE')) {
      for (const mid of line.slice('a=group:BUNDLE'.length).trim().split(/\s+/)) if (mid) mids.add(mid);
    }
  }
  return mids;
}

/**
 * RFC 8843 §6: an offerer may mark every m-line but the first of a BUNDLE group
 * `a=bundle-only` with port 0 (Firefox does with max-bundle). That is a live, bundled
 * track, not a rejected one; werift 0.24 reads port 0 as rejected. This rewrites such
 * m-lines to the discard port 9 (what a bundled m-line carries anyway) and drops the
 * attribute, so werift answers and receives them. M-lines with port 0 and no
 * `a=bundle-only`, or outside any BUNDLE group, stay rejected.
 */
export function reviveBundleOnlyMlines(sdp: string): string {
  const lines = splitLines(sdp);
  const bundled = bundledMids(sdp);
  const out: string[] = [];
  let section: string[] = [];
  const flush = () => {
    const mLine = section[0];
    if (mLine?.startsWith('m=')) {
      const parts = mLine.split(' ');
      const bundleOnly = section.some((l) => l.trim() === 'a=bundle-only');
      const mid = section
        .find((l) => l.startsWith('a=mid:'))
        ?.slice('a=mid:'.length)
        .trim();
      if (parts[1] === '0' && bundleOnly && mid !== undefined && bundled.has(mid)) {
        parts[1] = '9';
        section = [parts.join(' '), ...section.slice(1).filter((l) => l.trim() !== 'a=bundle-only')];
      }
    }
    out.push(...section);
    section = [];
  };
  for (const line of lines) {
    if (line.startsWith('m=')) flush();
    section.push(line);
  }
  flush();
  return joinLines(out);
}

/** One `a=candidate` line, parsed. */
export interface SdpCandidate {
  foundation: string;
  component: number;
  transport: string;
  priority: number;
  address: string;
  port: number;
  type: string;
}

/** Every candidate of an SDP (any m-line). */
export function sdpCandidates(sdp: string): SdpCandidate[] {
  const out: SdpCandidate[] = [];
  for (const line of splitLines(sdp)) {
    const m = /^a=candidate:(\S+) (\d+) (\S+) (\d+) (\S+) (\d+) typ (\S+)/.exec(line.trim());
    if (!m) continue;
    out.push({
      foundation: m[1]!,
      component: Number(m[2]),
      transport: m[3]!.toLowerCase(),
      priority: Number(m[4]),
      address: m[5]!,
      port: Number(m[6]),
      type: m[7]!,
    });
  }
  return out;
}

/**
 * 1:1 NAT (Janus `nat_1_1_mapping`, mediasoup `announcedAddress`): the server binds the
 * listen address but tells clients the public one. Rewrites candidate and `c=` addresses.
 */
export function announceAddress(sdp: string, listenAddress: string, announcedAddress: string): string {
  if (listenAddress === announcedAddress) return sdp;
  const lines = splitLines(sdp).map((line) => {
    if (line.startsWith('a=candidate:')) {
      const parts = line.split(' ');
      if (parts[4] === listenAddress) parts[4] = announcedAddress;
      return parts.join(' ');
    }
    if (line === `c=IN IP4 ${listenAddress}`) return `c=IN IP4 ${announcedAddress}`;
    return line;
  });
  return joinLines(lines);
}

/** The `a=mid` values of the m-lines, in order. */
export function mids(sdp: string): string[] {
  return splitLines(sdp)
    .filter((l) => l.startsWith('a=mid:'))
    .map((l) => l.slice('a=mid:'.length).trim());
}
