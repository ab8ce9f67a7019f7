import { createHash } from 'node:crypto'

// RFC 7638 §3.2: the members that define the key, in lexicographic order.
const REQUIRED_MEMBERS: Record<string, readonly string[]> = {
  OKP: ['crv', 'kty', 'x'],
  EC: ['crv', 'kty', 'x', 'y']
}

/**
 * The RFC 7638 thumbprint (SHA-256, base64url) of a public JWK: the kid of a custody key, the same
 * one the registry derives when the operator registers the key without naming a kid.
 */
export function jwkThumbprint (jwk: Readonly<Record<string, unknown>>): string {
  const members = REQUIRED_MEMBERS[String(jwk.kty)]
  if (members === undefined) throw new Error(`no thumbprint members known for kty ${String(jwk.kty)}`)
  const canonical = `{${members.map((m) => {
    const value = jwk[m]
    if (typeof value !== 'string') throw new Error(`the JWK lacks ${m}`)
    return `${JSON.stringify(m)}:${JSON.stringify(value)}`
  }).join(',')}}`
  return createHash('sha256').update(canonical, 'utf8').digest('base64url')
}
