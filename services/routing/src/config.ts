import { z } from 'zod'
import { BaseConfig } from '@lienthong/platform'

export const RoutingConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(7102),
  /** How often unpublished accepted documents are looked for and published again. */
  OUTBOX_SWEEP_MS: z.coerce.number().int().min(100).default(5_000)
})
export type RoutingConfig = z.infer<typeof RoutingConfig>
