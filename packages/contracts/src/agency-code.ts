import { z } from 'zod'

/**
 * Agency code (mã định danh) per QCVN 102:2016/BTTTT: `DDD.CC.BB.Xnn`, read right to left.
 * A zero-filled part means "the unit itself", so the parent of a code is the same code with its
 * most specific non-zero part zeroed.
 */
export const AGENCY_CODE_PATTERN = /^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})$/

export interface AgencyCodeParts {
  /** level 1: `H38` (a province), `G01` (a central body) */
  root: string
  /** level 2: a department or a district, `00` for the root itself */
  l2: string
  /** level 3: a commune (or a unit under a department), `00` for none */
  l3: string
  /** level 4: a village (or a unit under a commune), `000` for none */
  l4: string
}

export function isAgencyCode (value: string): boolean {
  return AGENCY_CODE_PATTERN.test(value) && parseAgencyCode(value) !== null
}

/** Parts of a code, or null when it is malformed (including a zero part above a non-zero one). */
export function parseAgencyCode (value: string): AgencyCodeParts | null {
  const m = AGENCY_CODE_PATTERN.exec(value)
  if (m === null) return null
  const [, l4, l3, l2, root] = m as unknown as [string, string, string, string, string]
  // A village under no commune, or a commune under no district, is not a place in the tree.
  if (l2 === '00' && (l3 !== '00' || l4 !== '000')) return null
  if (l3 === '00' && l4 !== '000') return null
  return { root, l2, l3, l4 }
}

/** How many parts are non-zero: 1 for `000.00.00.H38`, 4 for `007.05.31.H38`. */
export function codeDepth (parts: AgencyCodeParts): 1 | 2 | 3 | 4 {
  if (parts.l4 !== '000') return 4
  if (parts.l3 !== '00') return 3
  if (parts.l2 !== '00') return 2
  return 1
}

export function formatAgencyCode (parts: AgencyCodeParts): string {
  return `${parts.l4}.${parts.l3}.${parts.l2}.${parts.root}`
}

/** The parent's code, or null for a level-1 code. */
export function parentCode (code: string): string | null {
  const parts = parseAgencyCode(code)
  if (parts === null) throw new Error(`not an agency code: ${code}`)
  switch (codeDepth(parts)) {
    case 4: return formatAgencyCode({ ...parts, l4: '000' })
    case 3: return formatAgencyCode({ ...parts, l3: '00' })
    case 2: return formatAgencyCode({ ...parts, l2: '00' })
    case 1: return null
  }
}

/**
 * The code as NATS subject tokens from the root down (`007.05.31.H38` → `H38.31.05.007`), so
 * that a subtree is one wildcard: `deliver.H38.31.>` is district 31 and everything under it.
 */
export function codeToSubjectTokens (code: string): string {
  const parts = parseAgencyCode(code)
  if (parts === null) throw new Error(`not an agency code: ${code}`)
  return `${parts.root}.${parts.l2}.${parts.l3}.${parts.l4}`
}

export function subjectTokensToCode (tokens: string): string {
  const parts = tokens.split('.')
  if (parts.length !== 4) throw new Error(`not agency subject tokens: ${tokens}`)
  const [root, l2, l3, l4] = parts
  const code = `${l4}.${l3}.${l2}.${root}`
  if (!isAgencyCode(code)) throw new Error(`not agency subject tokens: ${tokens}`)
  return code
}

export const AgencyCode = z.string().refine(isAgencyCode, {
  message: 'must be an agency code DDD.CC.BB.Xnn (QCVN 102:2016), e.g. 000.00.31.H38'
})

/**
 * The root-first prefix shared by everything under an agency, dot-terminated: `H38.31.` for
 * district 31 and below, `H38.` for the whole province.
 */
export function subtreeTokenPrefix (code: string): string {
  return codeToSubjectTokens(code).replace(/(\.0+)+$/, '') + '.'
}
