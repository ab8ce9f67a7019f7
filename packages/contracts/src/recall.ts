import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'

/** The body of `POST /v1/documents/{id}/recall`: every recipient, or only those listed. */
export const RecallRequest = z.object({
  recipients: z.array(AgencyCode).min(1).max(20000).optional(),
  note: z.string().min(1).max(2000).optional()
}).strict()
export type RecallRequest = z.infer<typeof RecallRequest>

/**
 * What routing publishes once per recipient on `recall.<recipient tokens>` when the sender asks
 * for a document back (13). The recipient's inbox withdraws it at once where it was not accepted
 * yet (answering 15 itself), and otherwise leaves the answer, 15 or 16, to the recipient's DMS.
 */
export const RecallMessage = z.object({
  documentId: z.string().min(1).max(400),
  sender: AgencyCode,
  recipient: AgencyCode,
  requestedAt: z.iso.datetime({ offset: true }),
  note: z.string().max(2000).optional()
})
export type RecallMessage = z.infer<typeof RecallMessage>
