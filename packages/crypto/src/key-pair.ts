import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto'

export type KeyPairCurve = 'ed25519' | 'p256'

export interface NewKeyPair {
  privateKey: KeyObject
  publicKey: KeyObject
  /** The public half as a JWK, `kty`/`crv`/`x`(/`y`) only. */
  publicJwk: JsonWebKey
}

/**
 * A new key pair. Always use this, never `generateKeyPairSync` followed by `export`: in Node 20 the
 * KeyObjects it returns share a lock with the generation job, and when the garbage collector frees
 * that job while one of the keys is being exported, the export waits on its own lock and the whole
 * process stops for good (about once in ten thousand keys; it hung the signatures service while it
 * enrolled a province). Asking Node for encoded keys and importing them gives KeyObjects of their
 * own. See docs/decisions/019-key-generation.md.
 */
export function newKeyPair (curve: KeyPairCurve = 'ed25519'): NewKeyPair {
  // JWK both ways is the cheapest encoding to make and to import (a fifth of PKCS#8's cost).
  const encodings = { publicKeyEncoding: { format: 'jwk' }, privateKeyEncoding: { format: 'jwk' } } as const
  // @types/node knows no 'jwk' encoding for generateKeyPairSync; Node has had it since 15.9.
  const pair = (curve === 'ed25519'
    ? generateKeyPairSync('ed25519', encodings as never)
    : generateKeyPairSync('ec', { namedCurve: 'P-256', ...encodings } as never)) as unknown as { publicKey: JsonWebKey, privateKey: JsonWebKey }
  const privateKey = createPrivateKey({ key: pair.privateKey, format: 'jwk' })
  const { kty, crv, x, y } = pair.publicKey
  const publicJwk = y === undefined ? { kty, crv, x } : { kty, crv, x, y }
  return { privateKey, publicKey: createPublicKey({ key: publicJwk, format: 'jwk' }), publicJwk }
}
