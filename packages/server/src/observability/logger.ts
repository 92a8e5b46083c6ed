import { type Logger, pino } from 'pino';

export type { Logger };

/**
 * Paths that may hold secrets. Redaction is the backstop: code never logs a token or a
 * secret on purpose (a test greps the log for them).
 */
const REDACT = [
  'token',
  '*.token',
  'secret',
  '*.secret',
  'apiSecret',
  'resumeKey',
  '*.resumeKey',
  'password',
  '*.password',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-switchboard-resume-key"]',
  'headers.authorization',
];

export interface LoggerOptions {
  level: string;
  /** Write here instead of stdout (tests capture logs this way). */
  destination?: NodeJS.WritableStream;
}

/** The root logger; subsystems take `logger.child({ subsystem: 'signalling' })`. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
