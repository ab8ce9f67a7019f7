import { z } from 'zod'
import { BaseConfig } from '@lienthong/platform'

export const InboxConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(7103),
  /** How often status messages recorded but not yet acknowledged by JetStream are published again. */
  OUTBOX_SWEEP_MS: z.coerce.number().int().min(100).default(5_000)
})
export type InboxConfig = z.infer<typeof InboxConfig>
