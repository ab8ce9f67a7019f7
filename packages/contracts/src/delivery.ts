import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'
import { Envelope, SignaturePair } from './envelope.ts'

/** What routing publishes once per recipient on `deliver.<recipient tokens>`. */
export const DeliveryMessage = z.object({
  documentId: z.string(),
  recipient: AgencyCode,
  /** every recipient of the document when there are few; empty for a broadcast (see recipientCount) */
  recipients: z.array(AgencyCode),
  recipientCount: z.number().int().positive(),
  sentAt: z.iso.datetime({ offset: true }),
  /** the signed envelope, as the sender's signatures cover it */
  envelope: Envelope,
  signatures: SignaturePair
})
export type DeliveryMessage = z.infer<typeof DeliveryMessage>

/** Above this many recipients a delivery does not repeat the whole list to each of them. */
export const LISTED_RECIPIENTS_MAX = 100
