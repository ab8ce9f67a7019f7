import { z } from 'zod'
import { AgencyCode } from '@lienthong/contracts'
import { BaseConfig } from '@lienthong/platform'

export const AuditConfig = BaseConfig.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(7105),
  /** Events taken from the stream and recorded in one transaction. */
  LEDGER_BATCH: z.coerce.number().int().min(1).max(10_000).default(2_000),
  /** A checkpoint is signed after this many new entries … */
  CHECKPOINT_EVERY: z.coerce.number().int().min(1).default(10_000),
  /** … or this long after the last one, if entries came since. */
  CHECKPOINT_MS: z.coerce.number().int().min(100).default(60_000),
  /** The agency whose custody key signs checkpoints: the one that answers for the ledger (the provincial People's Committee). */
  CHECKPOINT_AGENCY: AgencyCode.default('000.00.00.H38')
})
export type AuditConfig = z.infer<typeof AuditConfig>
