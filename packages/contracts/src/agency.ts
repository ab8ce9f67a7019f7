import { z } from 'zod'
import { AgencyCode } from './agency-code.ts'

/**
 * Government levels are data, not the code's depth: a provincial department sits at code depth 2
 * like a district, yet counts at province level. The default set is the four tiers of 2023;
 * a two-tier directory (province → commune) simply uses fewer of them.
 */
export const GOVERNMENT_LEVELS = ['province', 'district', 'commune', 'village'] as const
export const GovernmentLevel = z.enum(GOVERNMENT_LEVELS)
export type GovernmentLevel = z.infer<typeof GovernmentLevel>

export const AGENCY_KINDS = ['people_committee', 'department', 'unit', 'village'] as const
export const AgencyKind = z.enum(AGENCY_KINDS)
export type AgencyKind = z.infer<typeof AgencyKind>

export const AgencyStatus = z.enum(['active', 'suspended', 'retired'])
export type AgencyStatus = z.infer<typeof AgencyStatus>

/** An agency's name: printable, no surrounding spaces, at most 300 characters (stored NFC). */
export const AgencyName = z.string()
  .min(1, 'the name is empty')
  .max(300, 'the name is longer than 300 characters')
  .refine((s) => !/[\p{Cc}\p{Cs}\u2028\u2029]/u.test(s), 'the name contains control characters')
  .refine((s) => s.trim() === s, 'the name starts or ends with spaces')

const AgencyFields = z.object({
  code: AgencyCode,
  name: AgencyName,
  level: GovernmentLevel,
  kind: AgencyKind
})

/** What a seed or an import supplies for one agency: nothing else, so a typo is an error. */
export const AgencyInput = AgencyFields.strict()
export type AgencyInput = z.infer<typeof AgencyInput>

/** Where an agency is reached besides the API: its DMS webhook and its mailbox. */
export const AgencyEndpoints = z.object({
  webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable(),
  mailAddress: z.email().max(320).nullable()
})
export type AgencyEndpoints = z.infer<typeof AgencyEndpoints>

/**
 * One agency as the directory (NATS KV) carries it to every service. Not strict: a newer
 * registry may add fields, and older readers must still take the entry (its status above all).
 */
export const DirectoryEntry = AgencyFields.extend({
  parent: AgencyCode.nullable(),
  status: AgencyStatus,
  /** when the current status began */
  statusSince: z.string(),
  endpoints: AgencyEndpoints,
  version: z.number().int().nonnegative()
})
export type DirectoryEntry = z.infer<typeof DirectoryEntry>
