/**
 * Fixed UDP port windows for tests that need them, one per test file, all below Linux's
 * ephemeral range (32768–60999) so that no socket the OS hands out elsewhere (Chromium,
 * libwebrtc, coturn, werift) can take them, and apart from each other so test files may
 * run in parallel.
 */
export const TEST_PORTS = {
  /** tester-accuracy.test.ts */
  testerAccuracy: { rtc: { min: 21100, max: 21119 }, acd: { min: 21120, max: 21149 } },
  /** tester-cli.test.ts */
  testerCli: { rtc: { min: 21200, max: 21219 }, acd: { min: 21220, max: 21249 } },
  /** tester-cli.test.ts, the "blocked UDP" case */
  testerCliBlocked: { rtc: { min: 21250, max: 21259 }, acd: { min: 21260, max: 21269 } },
  /** tester-server.test.ts: media ranges, coturn relay range, coturn UDP/TCP and TLS ports (first server) */
  testerServer: {
    rtc: { min: 21300, max: 21319 },
    acd: { min: 21320, max: 21349 },
    relay: { min: 21350, max: 21389 },
    turnPort: 21390,
    turnTlsPort: 21391,
  },
  /** tester-server.test.ts: the second server, without TURN */
  testerServerNoTurn: { rtc: { min: 21400, max: 21419 }, acd: { min: 21420, max: 21449 } },
  /** media-sfu.test.ts picks a random 20-port window in here */
  media: { min: 23000, max: 25999 },
  /** turn-*.test.ts pick random relay windows in here */
  turn: { min: 26000, max: 28999 },
  /** signalling/media tests through the platform pick random windows in here */
  platformMedia: { min: 29000, max: 31999 },
} as const;

/** A random `size`-port window inside `area`. */
export function randomWindow(area: { min: number; max: number }, size: number): { min: number; max: number } {
  const slots = Math.floor((area.max - area.min + 1) / size);
  const min = area.min + Math.floor(Math.random() * slots) * size;
  return { min, max: min + size - 1 };
}
