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
  .superRefine((codes, ctx) => {
    const seen = new Set<string>()
    const twice = new Set<string>()
    for (const code of codes) (seen.has(code) ? twice : seen).add(code)
    // Name the codes, so a DMS with a long list sees which entry to drop.
    if (twice.size > 0) ctx.addIssue({ code: 'custom', message: `${[...twice].slice(0, 20).join(', ')} ${twice.size === 1 ? 'is' : 'are'} listed twice` })
  })

export const Recipients = z.union([RecipientList, RecipientGroup])
export type Recipients = z.infer<typeof Recipients>
