import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'
import { GovernmentLevel } from './agency.ts'

export const RECIPIENT_GROUPS = ['children', 'subtree', 'parent', 'peers'] as const

/** A group resolved against the directory at send time, e.g. every commune of a district. */
export const RecipientGroup = z.object({
  group: z.enum(RECIPIENT_GROUPS),
  of: AgencyCode.optional(),
  level: GovernmentLevel.optional()
}).strict()
export type RecipientGroup = z.infer<typeof RecipientGroup>

export const RecipientList = z.array(AgencyCode).min(1, 'at least one recipient').max(20000)
  .refine((codes) => new Set(codes).size === codes.length, { message: 'a recipient is listed twice' })

export const Recipients = z.union([RecipientList, RecipientGroup])
export type Recipients = z.infer<typeof Recipients>
