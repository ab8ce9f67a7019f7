import { createHash, type KeyObject } from 'node:crypto'

/** Enough for the envelopes of a busy hour's fan-outs, at a few hundred bytes each. */
export const DEFAULT_VERIFIED_CACHE_SIZE = 10_000

/**
 * Signatures that verified, remembered by what was signed, the signature and the key object that
 * verified it: a group sent to 150 communes arrives as 150 deliveries of one envelope, and only the
 * first needs the Ed25519 work. Only the cryptographic result is kept; whether the key may still
 * speak for the agency (revoked, expired, certificate) is decided afresh by the caller every time.
 *
 * A hit needs the same key object: `PublicKeyCache` hands out one object per key material, so a
 * kid re-pointed to other material can never be served a result made with the old one.
 */
export class VerifiedSignatureCache {
  readonly #entries = new Map<string, KeyObject>()
  readonly #maxEntries: number

  constructor (maxEntries = DEFAULT_VERIFIED_CACHE_SIZE) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError('maxEntries must be a positive integer')
    this.#maxEntries = maxEntries
  }

  /** The name of one (signing input, signature) pair: a digest, so the entry stays small. */
  static entryName (signingInput: Uint8Array, signature: Uint8Array): string {
    return createHash('sha256').update(signingInput).update(signature).digest('base64url')
  }

  has (name: string, key: KeyObject): boolean {
    return this.#entries.get(name) === key
  }

  add (name: string, key: KeyObject): void {
    this.#entries.delete(name)
    this.#entries.set(name, key)
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next()
      if (oldest.done !== true) this.#entries.delete(oldest.value)
    }
  }

  get size (): number {
    return this.#entries.size
  }
}
