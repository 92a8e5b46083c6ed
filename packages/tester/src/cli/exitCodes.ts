/** `switchboard-test` exit codes: scripts branch on these. */
export const EXIT = {
  /** Every check passed. */
  pass: 0,
  /** Nothing failed, something is close to its limit (or TLS was accepted with --insecure). */
  warn: 1,
  /** At least one check failed. */
  fail: 2,
  /** The Tester could not run (bad URL, unreachable server, refused token, bad options). */
  couldNotRun: 3,
} as const;

export function exitCodeFor(verdict: 'pass' | 'warn' | 'fail'): number {
  return EXIT[verdict];
}
