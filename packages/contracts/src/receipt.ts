import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'
import { DetachedSignature, Sha256Hex } from './envelope.ts'
import { Channel, Official, StatusCode } from './status.ts'

/**
 * What a recipient agency signs for each status message it sends: the proof, kept by the sender,
 * that this recipient reached this step for this very envelope (`envelopeDigest` is the SHA-256
 * of the canonical envelope it received).
 */
export const Receipt = z.object({
  type: z.literal('lienthong.receipt'),
  v: z.literal(1),
  documentId: z.string().min(1).max(400),
  envelopeDigest: Sha256Hex,
  sender: AgencyCode,
  recipient: AgencyCode,
  code: StatusCode,
  channel: Channel,
  at: z.iso.datetime({ offset: true }),
  note: z.string().max(2000).optional(),
  official: Official.optional()
}).strict()
export type Receipt = z.infer<typeof Receipt>

/** A status message from a recipient back to the sender: the receipt and the agency's signature of it. */
export const StatusMessage = z.object({
  receipt: Receipt,
  signature: DetachedSignature
}).strict()
export type StatusMessage = z.infer<typeof StatusMessage>
