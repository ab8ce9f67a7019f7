import { z } from 'zod'

/** Settings every service reads from the environment; a service extends this with its own. */
export const BaseConfig = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('127.0.0.1'),
  DATABASE_URL: z.string().url(),
  NATS_URL: z.string().default('nats://127.0.0.1:7402'),
  /** The largest JSON body accepted, in bytes. */
  BODY_LIMIT: z.coerce.number().int().positive().default(1_048_576),
  /**
   * Addresses of reverse proxies whose X-Forwarded-For to believe (comma-separated IPs or CIDRs),
   * or `true` for any; unset, the peer address is the client's. Throttling counts per client address.
   */
  TRUST_PROXY: z.string().optional().transform((v) => v === undefined || v === '' ? false : v === 'true' ? true : v.split(',').map((s) => s.trim())),
  /** How long JetStream waits for a consumer's ack before delivering the message again. */
  ACK_WAIT_MS: z.coerce.number().int().min(1_000).default(30_000),
  /** A PEM bundle of the CAs agency certificates must chain to (self-signed ones are the anchors). */
  TRUST_ANCHORS: z.string().optional().transform((v) => v === '' ? undefined : v),
  /** `true`: a key registered without a certificate from a trusted CA signs nothing. */
  REQUIRE_CERTIFICATES: z.enum(['true', 'false']).default('false').transform((v) => v === 'true'),
  /** How far in the future a signing time may lie (clocks differ) before it is refused. */
  SIGNATURE_SKEW_MS: z.coerce.number().int().min(0).default(5 * 60_000)
})
export type BaseConfig = z.infer<typeof BaseConfig>

/**
 * Parses the environment with a service's schema and fails at start with every problem named,
 * rather than on the first request that needs a missing setting.
 */
export function loadConfig<S extends z.ZodType> (schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new Error(`invalid configuration:\n${lines.join('\n')}`)
  }
  return result.data
}
