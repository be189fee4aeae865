import pino, { type Logger } from 'pino';

/** JSON logs with ISO times; each module logs through a child with its `component` name. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'rollcall-server' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: {
      paths: ['req.headers.authorization', 'password', 'refreshToken', 'token', 'code'],
      censor: '[redacted]',
    },
  });
}
