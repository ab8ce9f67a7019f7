import { createCipheriv, createDecipheriv, createPrivateKey, randomBytes, type KeyObject } from 'node:crypto'
import type { KeyRole } from '@lienthong/contracts'
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

/** Encrypts a private key (PKCS#8 DER) under the current master key. */
export function sealPrivateKey (privateKey: KeyObject, binding: KeyBinding, masters: MasterKeySet): SealedKey {
  const der = privateKey.export({ format: 'der', type: 'pkcs8' })
  try {
    return sealBytes(der, binding, masters)
  } finally {
    der.fill(0)
  }
}

/** Decrypts a sealed key; throws `SealedKeyError` when its master key is missing or anything was altered. */
export function openPrivateKey (sealed: SealedKey, binding: KeyBinding, masters: MasterKeySet): KeyObject {
  const der = openBytes(sealed, binding, masters)
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
  } catch {
    throw new SealedKeyError(`the custody key ${binding.kid} of ${binding.agency} is not a private key`)
  } finally {
    der.fill(0)
  }
}

/**
 * The same key sealed under the current master key, or undefined when it already is. Used when the
 * master key rotates; the plaintext exists only for the moment between the two calls.
 */
export function resealUnderCurrent (sealed: SealedKey, binding: KeyBinding, masters: MasterKeySet): SealedKey | undefined {
  if (sealed.masterKeyId === masters.currentId) return undefined
  const der = openBytes(sealed, binding, masters)
  try {
    return sealBytes(der, binding, masters)
  } finally {
    der.fill(0)
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
