import { codeDepth, parentCode, parseAgencyCode, type AgencyInput, type AgencyStatus, type GovernmentLevel } from '@lienthong/contracts'

export interface ParentFacts { level: GovernmentLevel, kind: string, status: AgencyStatus }

/**
 * Why an agency cannot sit where its code puts it, or undefined when it can. The government level
 * is data, but it must agree with the place: a people's committee at code depth n belongs to the
 * n-th configured tier, a village is of village level, and a department or unit shares its
 * parent's level (a provincial department at depth 2 is province level, not district).
 */
export function placementProblem (agency: AgencyInput, parent: ParentFacts | undefined, levels: readonly GovernmentLevel[]): string | undefined {
  const parts = parseAgencyCode(agency.code)
  if (parts === null) return `${agency.code} is not an agency code`
  const depth = codeDepth(parts)
  if (!levels.includes(agency.level)) return `level ${agency.level} is not used by this directory (levels: ${levels.join(', ')})`
  const parentOf = parentCode(agency.code)
  if (parentOf !== null) {
    if (parent === undefined) return `the parent ${parentOf} does not exist`
    if (parent.status === 'retired') return `the parent ${parentOf} is retired`
  }
  switch (agency.kind) {
    case 'people_committee': {
      const tier = levels[depth - 1]
      if (tier === undefined) return `a people's committee cannot sit at code depth ${depth} in a ${levels.length}-tier directory`
      if (tier !== agency.level) return `a people's committee at ${agency.code} is of ${tier} level, not ${agency.level}`
      return undefined
    }
    case 'village':
      if (agency.level !== 'village') return `a village is of village level, not ${agency.level}`
      if (parent !== undefined && parent.kind !== 'people_committee') return `a village belongs to a people's committee, and ${parentOf} is a ${parent.kind}`
      return undefined
    case 'department':
    case 'unit':
      if (parent === undefined) return `a ${agency.kind} needs a parent agency`
      if (parent.level !== agency.level) return `a ${agency.kind} shares its parent's level (${parent.level}), not ${agency.level}`
      return undefined
  }
}
