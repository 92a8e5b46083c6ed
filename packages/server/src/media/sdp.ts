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
  const bundled = bundledMids(sdp);
  return mapMediaSections(sdp, (section) => {
    const parts = section[0]!.split(' ');
    const bundleOnly = section.some((l) => l.trim() === 'a=bundle-only');
    const mid = midOf(section);
    if (parts[1] !== '0' || !bundleOnly || mid === undefined || !bundled.has(mid)) return section;
    parts[1] = '9';
    return [parts.join(' '), ...section.slice(1).filter((l) => l.trim() !== 'a=bundle-only')];
  });
}

/**
 * werift 0.24 writes port 0 on every `a=inactive` m-line it sends, which RFC 3264 §6 and
 * JSEP read as *rejected*: Chromium stops and removes those transceivers, and when every
 * m-line of an answer is "rejected" it drops the BUNDLE transport, so the next offer needs a
 * new transport and new ICE credentials (a race werift loses under load). An inactive m-line
 * is a live one that carries nothing for now: this gives each one whose mid `isLive` accepts
 * the port of the first m-line that has one (9 when none does). M-lines werift keeps for
 * stopped or client-rejected transceivers stay at port 0.
 */
export function unrejectInactiveMlines(sdp: string, isLive: (mid: string) => boolean): string {
  const ports = splitLines(sdp)
    .filter((l) => l.startsWith('m='))
    .map((l) => l.split(' ')[1]);
  const port = ports.find((p) => p !== undefined && p !== '0') ?? '9';
  return mapMediaSections(sdp, (section) => {
    const parts = section[0]!.split(' ');
    const mid = midOf(section);
    const inactive = section.some((l) => l.trim() === 'a=inactive');
    if (parts[1] !== '0' || !inactive || mid === undefined || !isLive(mid)) return section;
    parts[1] = port;
    return [parts.join(' '), ...section.slice(1)];
  });
}

/**
 * The mids the SDP's author rejected or stopped: port 0 without `a=bundle-only` (RFC 3264
 * §6, RFC 8843 §6).
 */
export function rejectedMids(sdp: string): Set<string> {
  const rejected = new Set<string>();
  mapMediaSections(sdp, (section) => {
    const mid = midOf(section);
    const bundleOnly = section.some((l) => l.trim() === 'a=bundle-only');
    if (section[0]!.split(' ')[1] === '0' && !bundleOnly && mid !== undefined) rejected.add(mid);
    return section;
  });
  return rejected;
}

/** Rewrites each media section (its `m=` line first) with `fn`; the session part is kept. */
function mapMediaSections(sdp: string, fn: (section: string[]) => string[]): string {
  const out: string[] = [];
  let section: string[] = [];
  const flush = () => {
    out.push(...(section[0]?.startsWith('m=') ? fn(section) : section));
    section = [];
  };
  for (const line of splitLines(sdp)) {
    if (line.startsWith('m=')) flush();
    section.push(line);
  }
  flush();
  return joinLines(out);
}

function midOf(section: string[]): string | undefined {
  return section
    .find((l) => l.startsWith('a=mid:'))
    ?.slice('a=mid:'.length)
    .trim();
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
