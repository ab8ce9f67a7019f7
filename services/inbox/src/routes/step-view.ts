import { z } from 'zod'
import { STATUS_CODES, type StatusCode } from '@lienthong/contracts'
import type { StepRow } from '../domain/item-store.ts'

/** A step as both the item and the work-file routes show it. */
export const StepView = z.object({
  code: z.string(),
  name: z.string(),
  channel: z.string(),
  at: z.string(),
  note: z.string().nullable(),
  official: z.unknown(),
  /** the receipt the agency signs for this step (its RFC 8785 form is the JWS payload); null on a DMS-opened work file, which has no sender */
  receipt: z.record(z.string(), z.unknown()).nullable(),
  /** the agency's detached JWS of the receipt; null while the agency's DMS has still to sign it, or when there is no sender */
  signature: z.string().nullable(),
  /** true until the agency's DMS signs the receipt (POST /v1/inbox/{id}/receipts); the sender is told only then */
  awaitingSignature: z.boolean(),
  /** the status message went to the sender; null on a DMS-opened work file, which has no sender */
  sent: z.boolean().nullable()
})

export function stepView (step: StepRow): z.infer<typeof StepView> {
  return {
    code: step.code,
    name: STATUS_CODES[step.code as StatusCode],
    channel: step.channel,
    at: step.at.toISOString(),
    note: step.note,
    official: step.official,
    receipt: step.receipt as Record<string, unknown> | null,
    signature: step.signature,
    awaitingSignature: step.awaitingSignature,
    sent: step.itemId === null ? null : step.publishedAt !== null
  }
}
