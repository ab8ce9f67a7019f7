import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'
import { DocumentFields, documentId } from './document.ts'
import { Recipients } from './recipients.ts'

/** The largest detached JWS a request may carry; a real one is a few hundred characters. */
export const SIGNATURE_TEXT_MAX = 64 * 1024

/** A detached JWS (`header..signature`, RFC 7515 + RFC 7797) over an RFC 8785 canonical payload. */
export const DetachedSignature = z.string().min(1).max(SIGNATURE_TEXT_MAX)

export const Sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest in lowercase hex')

/** The largest attachment a document may carry: 100 MB. */
export const ATTACHMENT_MAX_BYTES = 100 * 1024 * 1024

/**
 * A file name as a recipient will save it: no path (a name is never a place to write to), no
 * control characters, not `.` or `..`, no surrounding spaces.
 */
export const AttachmentName = z.string().min(1).max(255)
  .refine((s) => !/[/\\]/.test(s), 'a file name may not contain a path separator (/ or \\)')
  .refine((s) => !/[\p{Cc}\p{Cf}\u2028\u2029]/u.test(s), 'a file name may not contain control characters')
  .refine((s) => s !== '.' && s !== '..', 'a file name may not be . or ..')
  .refine((s) => s.trim() === s, 'a file name may not start or end with spaces')

/** An attachment as the envelope names it: the bytes themselves travel apart, by digest. */
export const AttachmentDigest = z.object({
  name: AttachmentName,
  size: z.number().int().nonnegative().max(ATTACHMENT_MAX_BYTES),
  sha256: Sha256Hex
}).strict()
export type AttachmentDigest = z.infer<typeof AttachmentDigest>

/**
 * What the two signatures of a document are made over. `type` keeps an envelope signature from
 * ever passing as a receipt and the reverse; `id` binds the signatures to one document id, so an
 * old envelope cannot be replayed under another number; `to` is the addressing as the sender
 * wrote it (a list, or a group resolved at send time).
 */
export const Envelope = z.object({
  type: z.literal('lienthong.envelope'),
  v: z.literal(1),
  id: z.string().min(1).max(400),
  sender: AgencyCode,
  to: Recipients,
  document: DocumentFields,
  attachments: z.array(AttachmentDigest).max(100),
  signedAt: z.iso.datetime({ offset: true })
}).strict()
export type Envelope = z.infer<typeof Envelope>

/** The two signatures ND30 asks of a document: the authorised person's and the agency's. */
export const ENVELOPE_SIGNATURE_ROLES = ['signer', 'agency'] as const

/** How a DMS that signs for itself hands the signatures over in `POST /v1/documents`. */
export const EnvelopeSignatures = z.object({
  /** the envelope's `signedAt`, exactly as signed */
  signedAt: z.iso.datetime({ offset: true }),
  /** made with a key of role `signer` registered for the sender: the person who signed */
  signer: DetachedSignature,
  /** made with a key of role `agency` registered for the sender */
  agency: DetachedSignature
}).strict()
export type EnvelopeSignatures = z.infer<typeof EnvelopeSignatures>

/** The signatures as they travel with a delivery, whoever made them. */
export const SignaturePair = z.object({ signer: DetachedSignature, agency: DetachedSignature }).strict()
export type SignaturePair = z.infer<typeof SignaturePair>

/**
 * The envelope of a document as both sides build it. The fields go through `DocumentFields` first,
 * so a sender and a verifier that start from the same request sign and check the same bytes
 * (priority 0 when left out, unknown members dropped).
 */
export function buildEnvelope (input: {
  sender: string
  to: z.input<typeof Recipients>
  document: z.input<typeof DocumentFields>
  attachments?: AttachmentDigest[]
  signedAt: string
}): Envelope {
  const document = DocumentFields.parse(input.document)
  return {
    type: 'lienthong.envelope',
    v: 1,
    id: documentId(input.sender, document),
    sender: input.sender,
    to: Recipients.parse(input.to),
    document,
    attachments: input.attachments ?? [],
    signedAt: input.signedAt
  }
}
