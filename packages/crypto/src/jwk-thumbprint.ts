import { createHash } from 'node:crypto'

// RFC 7638 §3.2: only the members that define the key, in this (lexicographic) order.
const REQUIRED_MEMBERS: Record<string, readonly string[]> = {
  OKP: ['crv', 'kty', 'x'],
  EC: ['crv', 'kty', 'x', 'y']
}

/**
 * The RFC 7638 thumbprint (SHA-256, base64url) of a public Ed25519 or P-256 JWK: the same key
 * gives the same id whoever computes it, so a DMS can know its kid without asking the registry.
 */
export function jwkThumbprint (jwk: Readonly<Record<string, unknown>>): string {
  const kty = String(jwk.kty)
  const members = REQUIRED_MEMBERS[kty]
  if (members === undefined) throw new Error(`no thumbprint members known for kty ${kty}`)
  // The members' values are base64url or names, so JSON.stringify needs no escaping beyond the spec's.
  const canonical = `{${members.map((m) => {
    const value = jwk[m]
    if (typeof value !== 'string') throw new Error(`the JWK lacks ${m}`)
    return `${JSON.stringify(m)}:${JSON.stringify(value)}`
  }).join(',')}}`
  return createHash('sha256').update(canonical, 'utf8').digest('base64url')
}
