import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'
import { DocumentFields } from './document.ts'

/** What routing publishes once per recipient on `deliver.<recipient tokens>`. */
export const DeliveryMessage = z.object({
  documentId: z.string(),
  sender: AgencyCode,
  recipient: AgencyCode,
  /** every recipient of the document when there are few; empty for a broadcast (see recipientCount) */
  recipients: z.array(AgencyCode),
  recipientCount: z.number().int().positive(),
  document: DocumentFields,
  sentAt: z.iso.datetime({ offset: true })
})
export type DeliveryMessage = z.infer<typeof DeliveryMessage>

/** Above this many recipients a delivery does not repeat the whole list to each of them. */
export const LISTED_RECIPIENTS_MAX = 100
