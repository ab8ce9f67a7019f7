import type { AccessTokenClaims } from '@lienthong/contracts'

/**
 * Access tokens whose signature verified, kept until they expire: a DMS sends many requests with
 * one token, and an Ed25519 verify is most of what authenticating a request costs. A token is
 * taken from here only while its signing key is still one registry publishes, so withdrawing a key
 * stops its tokens at once, as it does without the cache; the scopes and the agency's status are
 * checked on every request either way.
 */
export class VerifiedTokens {
  readonly #max: number
  readonly #tokens = new Map<string, { claims: AccessTokenClaims, kid: string, expiresAtMs: number }>()

  constructor (max = 10_000) {
    this.#max = max
  }

  /** The claims of a token verified before, if it has not expired and its key is still known. */
  get (token: string, keyKnown: (kid: string) => boolean, nowMs = Date.now()): AccessTokenClaims | undefined {
    const hit = this.#tokens.get(token)
    if (hit === undefined) return undefined
    if (hit.expiresAtMs <= nowMs || !keyKnown(hit.kid)) {
      this.#tokens.delete(token)
      return undefined
    }
    return hit.claims
  }

  /** Remembers a token that just verified; one without an expiry or a key id is not kept. */
  add (token: string, claims: AccessTokenClaims): void {
    const kid = kidOf(token)
    const exp = (claims as { exp?: unknown }).exp
    if (kid === undefined || typeof exp !== 'number') return
    // The oldest entry makes room: a Map keeps insertion order.
    if (this.#tokens.size >= this.#max) this.#tokens.delete(this.#tokens.keys().next().value!)
    this.#tokens.set(token, { claims, kid, expiresAtMs: exp * 1000 })
  }

  get size (): number {
    return this.#tokens.size
  }
}

function kidOf (token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8')) as { kid?: unknown }
    return typeof header.kid === 'string' ? header.kid : undefined
  } catch {
    return undefined
  }
}
