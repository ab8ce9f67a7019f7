import { z } from 'zod'
import { AgencyCode, codeToSubjectTokens, subjectTokensToCode } from './agency-code.ts'

export const KeyId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'kid: 1–64 letters, digits, _ or -')

/** The algorithms an agency's key may be registered for: Ed25519 (EdDSA) or P-256 (ES256). */
export const KeyAlgorithm = z.enum(['EdDSA', 'ES256'])
export type KeyAlgorithm = z.infer<typeof KeyAlgorithm>

/**
 * Whom a key speaks for. ND30 asks two signatures of a document: the authorised person's
 * (`signer`, e.g. the chairman's key) and the agency's own (`agency`, the seal); receipts carry the
 * agency's. A key of one role never passes for the other.
 */
export const KeyRole = z.enum(['agency', 'signer'])
export type KeyRole = z.infer<typeof KeyRole>

/** A public key that speaks for an agency, as the `agency-keys` KV bucket carries it. */
export const AgencyKeyEntry = z.object({
  agency: AgencyCode,
  kid: KeyId,
  alg: KeyAlgorithm,
  role: KeyRole.default('agency'),
  /** for a signer key: the person who holds it (name, position) */
  holder: z.string().nullable().default(null),
  /** the public key as a JWK (kty OKP/crv Ed25519 or kty EC/crv P-256), never a private part */
  jwk: z.record(z.string(), z.unknown()),
  /** present when the key was registered by its X.509 certificate */
  certificate: z.object({ pem: z.string(), subject: z.string(), issuer: z.string(), fingerprint256: z.string() }).nullable(),
  notBefore: z.string(),
  notAfter: z.string().nullable(),
  revokedAt: z.string().nullable()
})
export type AgencyKeyEntry = z.infer<typeof AgencyKeyEntry>

/** The KV key of an agency's key: the code root-first, then the kid, so a subtree is one wildcard. */
export function agencyKeyBucketKey (agency: string, kid: string): string {
  return `${codeToSubjectTokens(agency)}.${kid}`
}

/** The agency of an `agency-keys` bucket key, or undefined for a key of another shape. */
export function agencyOfKeyBucketKey (key: string): string | undefined {
  const dot = key.lastIndexOf('.')
  if (dot <= 0) return undefined
  try {
    return subjectTokensToCode(key.slice(0, dot))
  } catch {
    return undefined
  }
}
