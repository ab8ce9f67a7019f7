import type { LoggerOptions } from 'pino'

/** Paths pino blanks out: tokens, secrets and keys must never reach a log. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  '*.clientSecret',
  '*.secret',
  '*.password',
  '*.privateKey',
  '*.accessToken'
]

export function loggerOptions (service: string, level: string): LoggerOptions {
  return {
    level,
    name: service,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' }
  }
}
