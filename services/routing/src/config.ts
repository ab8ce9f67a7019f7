import { z } from 'zod'
import { BaseConfig } from '@lienthong/platform'

export const RoutingConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(7102),
  /** How often unpublished accepted documents are looked for and published again. */
  OUTBOX_SWEEP_MS: z.coerce.number().int().min(100).default(5_000),
  /**
   * How old a DMS's envelope signature may be when the document is sent: a DMS may sign and send
   * later, but an old signed envelope is not a licence to send it again and again.
   */
  SIGNATURE_MAX_AGE_MS: z.coerce.number().int().min(60_000).default(24 * 3_600_000)
})
export type RoutingConfig = z.infer<typeof RoutingConfig>
