import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'

/** Enough for every agency and signer key of a province several times over. */
export const DEFAULT_KEY_CACHE_SIZE = 10_000

/**
 * Public key objects made once per JWK, least recently used dropped first. Importing a JWK costs
 * more than the verify itself would gain from it, and a busy inbox checks the same few hundred
 * keys all day.
 *
 * Entries are keyed by the key material (curve and coordinates), not by agency and kid:
 * a kid that the registry re-points after a rotation can then never be served stale.
 */
export class PublicKeyCache {
  readonly #keys = new Map<string, KeyObject>()
  readonly #maxEntries: number

  constructor (maxEntries = DEFAULT_KEY_CACHE_SIZE) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer')
    this.#maxEntries = maxEntries
  }

  /** The key object for an Ed25519 (OKP) or P-256 (EC) public JWK; private members are ignored. */
  fromJwk (jwk: JsonWebKey): KeyObject {
    const publicJwk = publicMembers(jwk)
    // crv fixes kty, and base64url never contains ':', so this names the key material exactly.
    const id = `${publicJwk.crv}:${publicJwk.x}:${publicJwk.y ?? ''}`
    const cached = this.#keys.get(id)
    if (cached !== undefined) {
      // Re-inserting moves the entry to the young end of the Map's insertion order.
      this.#keys.delete(id)
      this.#keys.set(id, cached)
      return cached
    }
    const key = createPublicKey({ key: publicJwk, format: 'jwk' })
    this.#keys.set(id, key)
    if (this.#keys.size > this.#maxEntries) {
      const oldest = this.#keys.keys().next()
      if (oldest.done !== true) this.#keys.delete(oldest.value)
    }
    return key
  }

  get size (): number {
    return this.#keys.size
  }

  clear (): void {
    this.#keys.clear()
  }
}

function publicMembers (jwk: JsonWebKey): JsonWebKey {
  const { kty, crv, x, y } = jwk
  if (kty === 'OKP' && crv === 'Ed25519' && typeof x === 'string') return { kty, crv, x }
  if (kty === 'EC' && crv === 'P-256' && typeof x === 'string' && typeof y === 'string') return { kty, crv, x, y }
  throw new TypeError(`unsupported public key: kty ${String(kty)}, crv ${String(crv)}`)
}
