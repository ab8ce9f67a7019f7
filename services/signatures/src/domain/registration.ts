import type { AgencyKeyEntry } from '@lienthong/contracts'
import type { AgencyKeysMirror } from '@lienthong/platform'

/** What a custody key is known by: enough to find it in the registry's bucket and compare. */
export interface CustodyKeyIdentity {
  agency: string
  role: string
  kid: string
  alg: string
  publicJwk: unknown
}

/**
 * Whether the registry has this custody key registered and usable now: the entry under its kid is
 * neither revoked nor outside its window, and it is this very key, for this role. A signature the
 * service makes with anything less would be refused by every verifier, so such a key never signs.
 */
export function isRegistered (agencyKeys: AgencyKeysMirror, key: CustodyKeyIdentity, at: Date = new Date()): boolean {
  const entry = agencyKeys.usableKey(key.agency, key.kid, at)
  return entry !== undefined && matches(entry, key)
}

function matches (entry: AgencyKeyEntry, key: CustodyKeyIdentity): boolean {
  if (entry.role !== key.role || entry.alg !== key.alg) return false
  const ours = key.publicJwk as Record<string, unknown>
  const theirs = entry.jwk
  return theirs.kty === ours.kty && theirs.crv === ours.crv && theirs.x === ours.x && theirs.y === ours.y
}
