import type { KeyObject } from 'node:crypto'

/** The only JWS algorithms the exchange accepts: no RSA, no HMAC, no `none`. */
export const SIGNING_ALGORITHMS = ['EdDSA', 'ES256'] as const
export type SigningAlgorithm = typeof SIGNING_ALGORITHMS[number]

export function isSigningAlgorithm (alg: unknown): alg is SigningAlgorithm {
  return alg === 'EdDSA' || alg === 'ES256'
}

/**
 * The one algorithm a key can sign with. An Ed25519 key only does EdDSA and a P-256 key only
 * ES256, so the key's type is the algorithm it was registered for; anything else (RSA, other
 * curves, HMAC secrets) has none here.
 */
export function algorithmOfKey (key: KeyObject): SigningAlgorithm | undefined {
  if (key.type === 'secret') return undefined
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA'
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256'
  return undefined
}
