import { z } from 'zod'
import { BaseConfig } from '@lienthong/platform'
import { parsePrivateAllowance } from './domain/webhook-target.ts'

export const InboxConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(7103),
  /** How often status messages and events recorded but not yet acknowledged by JetStream are published again. */
  OUTBOX_SWEEP_MS: z.coerce.number().int().min(100).default(5_000),
  /**
   * Which loopback, private, link-local and other special addresses a webhook may point at:
   * `false` (none, the default), `true` (any), or a comma-separated list of networks allowed
   * although special (e.g. `10.20.0.0/16` for the one subnet of an internal DMS). A webhook URL
   * must not turn the inbox into a way to call the exchange's own internal servers.
   */
  WEBHOOK_ALLOW_PRIVATE: z.string().default('false').transform((v, ctx) => {
    try {
      return parsePrivateAllowance(v)
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message })
      return z.NEVER
    }
  }),
  /** The first retry waits this long; each next one twice as long (with jitter), up to WEBHOOK_RETRY_MAX_MS. */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(10_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).default(60 * 60_000),
  /** After this long without a 2xx answer an event goes to the dead-letter list (at least 24 hours in production). */
  WEBHOOK_GIVE_UP_MS: z.coerce.number().int().min(1).default(26 * 60 * 60_000),
  /** How long one webhook call may take before it counts as failed. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
  /** How often due webhook calls are looked for (a new event wakes the sender at once as well). */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).default(1_000),
  /** Server-sent event streams one agency may hold open on one copy of the inbox (each is a consumer on the NATS server). */
  SSE_MAX_PER_AGENCY: z.coerce.number().int().min(1).default(10),
  /** Comment lines keep idle server-sent event connections open through proxies. */
  SSE_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000)
})
export type InboxConfig = z.infer<typeof InboxConfig>
