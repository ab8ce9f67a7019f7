import { OPERATOR_SUBJECT, codeToSubjectTokens, subtreeTokenPrefix, type AccessTokenClaims } from '@lienthong/contracts'

/**
 * The subtree a token may read: an auditor's is the agency it was issued for, or the narrower
 * `under` it was issued with (a district's auditor sees the district and below). The operator's
 * token reads everything (null) unless it too names an `under`.
 */
export function readableRoot (claims: Pick<AccessTokenClaims, 'sub' | 'under'>): string | null {
  if (claims.under !== undefined && claims.under !== null) return claims.under
  return claims.sub === OPERATOR_SUBJECT ? null : claims.sub
}

/** The subtree a request reports on, or 'outside' when it asks for one the token may not read. */
export function reportRoot (requested: string | undefined, root: string | null): string | null | 'outside' {
  if (requested === undefined) return root
  if (root === null || requested === root || codeToSubjectTokens(requested).startsWith(subtreeTokenPrefix(root))) return requested
  return 'outside'
}
