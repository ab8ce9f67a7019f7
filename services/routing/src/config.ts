import { z } from 'zod'
import { DEFAULT_SEND_POLICY, type SendPolicy } from '@lienthong/contracts'
import { BaseConfig } from '@lienthong/platform'
import { loadSendPolicy } from './domain/policy.ts'

export const RoutingConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(7102),
  /** How often unpublished accepted documents are looked for and published again. */
  OUTBOX_SWEEP_MS: z.coerce.number().int().min(100).default(5_000),
  /**
   * How old a DMS's envelope signature may be when the document is sent: a DMS may sign and send
   * later, but an old signed envelope is not a licence to send it again and again.
   */
  SIGNATURE_MAX_AGE_MS: z.coerce.number().int().min(60_000).default(24 * 3_600_000),
  /** A JSON sending policy (contracts `SendPolicy`) replacing the default; read and checked at start. */
  POLICY_FILE: z.string().optional().transform((v) => v === '' ? undefined : v),
  /** The most recipients one send may resolve to (a province broadcast is ~1,744). */
  RECIPIENTS_MAX: z.coerce.number().int().min(1).default(10_000),
  /**
   * The most sends taken on at once; more are refused with 503 and nothing stored (docs/performance.md).
   * At a few hundred sends a second this is about a second of work queued.
   */
  SENDS_IN_FLIGHT_MAX: z.coerce.number().int().min(1).default(256)
}).transform((config, ctx) => {
  let sendPolicy: SendPolicy = DEFAULT_SEND_POLICY
  if (config.POLICY_FILE !== undefined) {
    try {
      sendPolicy = loadSendPolicy(config.POLICY_FILE)
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['POLICY_FILE'], message: (err as Error).message })
      return z.NEVER
    }
  }
  return { ...config, sendPolicy }
})
export type RoutingConfig = z.infer<typeof RoutingConfig>
