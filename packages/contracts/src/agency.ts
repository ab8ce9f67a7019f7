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

/** What a seed or an import supplies for one agency. */
export const AgencyInput = z.object({
  code: AgencyCode,
  name: z.string().min(1).max(300),
  level: GovernmentLevel,
  kind: AgencyKind
})
export type AgencyInput = z.infer<typeof AgencyInput>

/** One agency as the directory (NATS KV) carries it to every service. */
export const DirectoryEntry = AgencyInput.extend({
  parent: AgencyCode.nullable(),
  status: AgencyStatus,
  version: z.number().int().nonnegative()
})
export type DirectoryEntry = z.infer<typeof DirectoryEntry>
