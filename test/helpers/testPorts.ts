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
