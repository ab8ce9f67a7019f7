import type { LoggerOptions } from 'pino'

const SECRET_KEYS = ['clientSecret', 'secret', 'password', 'privateKey', 'privateKeyPem', 'accessToken', 'authorization']

/**
 * Paths pino blanks out: tokens, secrets and keys must never reach a log. pino has no recursive
 * wildcard, so each secret name is covered at the top level and two levels down.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`])
]

export function loggerOptions (service: string, level: string): LoggerOptions {
  return {
    level,
    name: service,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' }
  }
}
