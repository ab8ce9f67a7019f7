import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'
import { DocumentFields } from './document.ts'
import { AttachmentDigest, EnvelopeSignatures } from './envelope.ts'
import { Recipients } from './recipients.ts'

/** The body of `POST /v1/documents`. */
export const SendDocumentRequest = z.object({
  /** Optional: the token's agency is the sender; when given it must match. */
  from: AgencyCode.optional(),
  to: Recipients,
  document: DocumentFields,
  /**
   * Files uploaded beforehand (`PUT /v1/attachments/{sha256}`), named here by digest: the
   * envelope, and so both signatures, cover each name, size and SHA-256.
   */
  attachments: z.array(AttachmentDigest).max(100).optional(),
  /**
   * The envelope's two signatures, when the sender's DMS signs for itself. Left out, the
   * signatures service signs for the sender if it holds the sender's custody keys.
   */
  signatures: EnvelopeSignatures.optional()
})
export type SendDocumentRequest = z.infer<typeof SendDocumentRequest>

export const SendDocumentResponse = z.object({
  id: z.string(),
  sender: AgencyCode,
  recipients: z.array(AgencyCode),
  acceptedAt: z.string()
})
export type SendDocumentResponse = z.infer<typeof SendDocumentResponse>
