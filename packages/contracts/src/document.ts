import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'

/** 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ (ND30). */
export const Priority = z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3), z.literal(4)])
export type Priority = z.infer<typeof Priority>

/** Classified documents (mật, tối mật, tuyệt mật) must never enter the exchange. */
export const Classification = z.enum(['mat', 'toi_mat', 'tuyet_mat'])

const IsoDate = z.iso.date()

export const Signer = z.object({
  competence: z.string().max(100).optional(),
  position: z.string().max(200).optional(),
  fullName: z.string().min(1).max(200)
})

/**
 * edXML business document types beyond a new document (0): an update (2) corrects a document
 * already sent, a replacement (3) supersedes it. Either names the original, which must be a
 * document of the same sender.
 */
export const BUSINESS_TYPES = { update: 2, replacement: 3 } as const
export const Business = z.object({
  type: z.union([z.literal(BUSINESS_TYPES.update), z.literal(BUSINESS_TYPES.replacement)]),
  /** the id of the document this one updates or replaces */
  original: z.string().min(1).max(400),
  reason: z.string().min(1).max(1000).optional()
}).strict()
export type Business = z.infer<typeof Business>

/** The edXML header fields of ND30 Đ8 that a sender supplies. */
export const DocumentFields = z.object({
  number: z.string().regex(/^[0-9A-Za-z]{1,20}$/, 'số: 1–20 letters or digits'),
  notation: z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N}.\-/]{0,59}$/u, 'ký hiệu, e.g. UBND-VP'),
  type: z.string().min(1).max(100),
  subject: z.string().min(1).max(2000),
  issuedAt: IsoDate,
  place: z.string().max(200).optional(),
  signer: Signer.optional(),
  dueDate: IsoDate.optional(),
  priority: Priority.default(0),
  steeringType: z.string().max(100).optional(),
  responseFor: z.string().max(300).optional(),
  business: Business.optional(),
  classification: Classification.optional()
})
export type DocumentFields = z.infer<typeof DocumentFields>

/** `{senderCode},{yyyy/MM/dd},{number}/{notation}` — unique because số/ký hiệu is unique per agency per year. */
export function documentId (sender: string, fields: Pick<DocumentFields, 'issuedAt' | 'number' | 'notation'>): string {
  return `${sender},${fields.issuedAt.replaceAll('-', '/')},${fields.number}/${fields.notation}`
}

export const DocumentId = z.string().min(1).max(400)
