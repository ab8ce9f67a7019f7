import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'

/** edXML status codes. */
export const STATUS_CODES = {
  '01': 'arrived',
  '02': 'refused',
  '03': 'accepted',
  '04': 'assigned',
  '05': 'in_progress',
  '06': 'completed',
  '13': 'recall_requested',
  '15': 'recall_agreed',
  '16': 'recall_refused'
} as const
export type StatusCode = keyof typeof STATUS_CODES
export const StatusCode = z.enum(Object.keys(STATUS_CODES) as [StatusCode, ...StatusCode[]])

export const Channel = z.enum(['online', 'paper'])
export type Channel = z.infer<typeof Channel>

export const Official = z.object({
  id: z.string().max(100).optional(),
  name: z.string().min(1).max(200)
})

/** A status message from a recipient back to the sender of a document. */
export const StatusMessage = z.object({
  documentId: z.string(),
  sender: AgencyCode,
  recipient: AgencyCode,
  code: StatusCode,
  channel: Channel,
  at: z.iso.datetime({ offset: true }),
  note: z.string().max(2000).optional(),
  official: Official.optional()
})
export type StatusMessage = z.infer<typeof StatusMessage>
