/** Why the Tester could not run at all (exit code 3): each has one line saying what to do. */
export type CouldNotRunReason =
  | 'bad-url'
  | 'unreachable'
  | 'token-required'
  | 'token-refused'
  | 'rate-limited'
  | 'bad-profile'
  | 'server-error';

/** The Tester could not run: the message is one line naming what failed and what to do. */
export class CouldNotRunError extends Error {
  readonly reason: CouldNotRunReason;

  constructor(reason: CouldNotRunReason, message: string) {
    super(message);
    this.name = 'CouldNotRunError';
    this.reason = reason;
  }
}
