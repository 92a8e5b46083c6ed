/** One RTP header extension as werift keeps it in its configuration. */
export interface HeaderExtensionParams {
  id: number;
  uri: string;
}

/** `uri → id` from the `a=extmap` lines of an SDP. */
export function extmapOf(sdp: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const m of sdp.matchAll(/^a=extmap:(\d+)(?:\/\w+)? (\S+)/gm)) {
    if (!map.has(m[2]!)) map.set(m[2]!, Number(m[1]));
  }
  return map;
}

/**
 * Renumbers our header extensions to the ids the client used. In a BUNDLE group one id
 * must mean one extension on every m-line, and browsers disagree on ids (Chrome: mid=4,
 * Firefox: mid=3), so server offers must speak the client's numbering — werift numbers
 * its own 1, 2, 3 … per kind, which collides with both. Extensions the client did not
 * offer get the lowest ids it does not use.
 */
export function adoptClientExtensionIds(
  ours: Record<string, HeaderExtensionParams[] | undefined>,
  client: Map<string, number>,
): void {
  const used = new Set(client.values());
  const assigned = new Map<string, number>();
  for (const list of Object.values(ours)) {
    for (const ext of list ?? []) {
      let id = client.get(ext.uri) ?? assigned.get(ext.uri);
      if (id === undefined) {
        id = 1;
        while (used.has(id)) id++;
        used.add(id);
      }
      assigned.set(ext.uri, id);
      ext.id = id;
    }
  }
}
