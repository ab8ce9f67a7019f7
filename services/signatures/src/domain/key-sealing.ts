import { createCipheriv, createDecipheriv, createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto'
import type { KeyRole } from '@lienthong/contracts'
import { jwkThumbprint } from '@lienthong/crypto'
import type { MasterKeySet } from './master-keys.ts'

/** A custody private key as stored: AES-256-GCM under one master key. */
export interface SealedKey {
  masterKeyId: string
  iv: Buffer
  authTag: Buffer
  ciphertext: Buffer
}

/** The row a sealed key belongs to: bound into the ciphertext, so it opens in that row only. */
export interface KeyBinding {
  agency: string
  role: KeyRole
  kid: string
}

const IV_BYTES = 12
const TAG_BYTES = 16

/** Raised when a sealed key does not open; says which row, never anything of the key. */
export class SealedKeyError extends Error {
  override readonly name = 'SealedKeyError'
}

/**
 * The additional authenticated data of a sealed key: the agency, role and kid of its row. Moving a
 * ciphertext to another agency's row, or swapping an agency key with a signer key, makes the
 * authentication tag fail instead of letting one agency sign with another's key.
 */
export function keyAad (binding: KeyBinding): Buffer {
  return Buffer.from(`lienthong.custody-key.v1|${binding.agency}|${binding.role}|${binding.kid}`, 'utf8')
}

/**
 * Encrypts an Ed25519 private key under the current master key. What is sealed is the 32-byte
 * private key itself (RFC 8032's seed, the JWK `d`): importing it back is ten times cheaper than
 * parsing PKCS#8, which counts when a copy starts and opens the keys of a whole province.
 */
export function sealPrivateKey (privateKey: KeyObject, binding: KeyBinding, masters: MasterKeySet): SealedKey {
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('custody keys are Ed25519 private keys')
  const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url')
  try {
    return sealBytes(seed, binding, masters)
  } finally {
    seed.fill(0)
  }
}

/**
 * Decrypts a sealed key; throws `SealedKeyError` when its master key is missing, anything was
 * altered, or the key inside is not the one its kid (the thumbprint of its public key) names.
 */
export function openPrivateKey (sealed: SealedKey, binding: KeyBinding, masters: MasterKeySet): KeyObject {
  const seed = openBytes(sealed, binding, masters)
  let key: KeyObject
  try {
    if (seed.length !== 32) throw new Error('not 32 bytes')
    // Node derives the public half from `d`; `x` must be present but is not read.
    key = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: seed.toString('base64url'), x: '' }, format: 'jwk' })
  } catch {
    throw new SealedKeyError(`the custody key ${binding.kid} of ${binding.agency} is not an Ed25519 private key`)
  } finally {
    seed.fill(0)
  }
  if (jwkThumbprint(createPublicKey(key).export({ format: 'jwk' })) !== binding.kid) {
    throw new SealedKeyError(`the custody key ${binding.kid} of ${binding.agency} is not the key its kid names`)
  }
  return key
}

/**
 * The same key sealed under the current master key, or undefined when it already is. Used when the
 * master key rotates; the plaintext exists only for the moment between the two calls.
 */
export function resealUnderCurrent (sealed: SealedKey, binding: KeyBinding, masters: MasterKeySet): SealedKey | undefined {
  if (sealed.masterKeyId === masters.currentId) return undefined
  const plaintext = openBytes(sealed, binding, masters)
  try {
    return sealBytes(plaintext, binding, masters)
  } finally {
    plaintext.fill(0)
  }
}

function sealBytes (plaintext: Buffer, binding: KeyBinding, masters: MasterKeySet): SealedKey {
  const { id, key } = masters.current()
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(keyAad(binding))
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()])
  return { masterKeyId: id, iv, authTag: cipher.getAuthTag(), ciphertext }
}

function openBytes (sealed: SealedKey, binding: KeyBinding, masters: MasterKeySet): Buffer {
  const key = masters.key(sealed.masterKeyId)
  if (key === undefined) throw new SealedKeyError(`the custody key ${binding.kid} of ${binding.agency} is sealed under master key ${sealed.masterKeyId}, which is not configured`)
  if (sealed.iv.length !== IV_BYTES || sealed.authTag.length !== TAG_BYTES) {
    throw new SealedKeyError(`the custody key ${binding.kid} of ${binding.agency} is stored malformed`)
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv, { authTagLength: TAG_BYTES })
    decipher.setAAD(keyAad(binding))
    decipher.setAuthTag(sealed.authTag)
    return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()])
  } catch {
    throw new SealedKeyError(`the custody key ${binding.kid} of ${binding.agency} does not open: altered, moved from another row, or sealed under another key named ${sealed.masterKeyId}`)
  }
}
