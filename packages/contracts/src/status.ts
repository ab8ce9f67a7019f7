import { z } from 'zod'

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
