import { inspect } from 'node:util'

/** The length of an AES-256 key. */
export const MASTER_KEY_BYTES = 32

const MASTER_KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/

/** Raised for a master key set that cannot be used; the message never carries key material. */
export class MasterKeyError extends Error {
  override readonly name = 'MasterKeyError'
}

/**
 * The keys that encrypt custody private keys. The first is current: new keys are sealed under it,
 * and rows sealed under any other are re-sealed under it at start. The others are kept only so
 * those rows can still be opened until then.
 *
 * The key bytes live in a private field: neither `JSON.stringify` nor `util.inspect` (so neither
 * pino nor a stray `console.log` of the config) shows more than the ids.
 */
export class MasterKeySet {
  readonly #keys: Map<string, Buffer>
  readonly currentId: string

  constructor (entries: ReadonlyArray<{ id: string, key: Uint8Array }>) {
    if (entries.length === 0) throw new MasterKeyError('no master key given')
    const keys = new Map<string, Buffer>()
    for (const { id, key } of entries) {
      if (!MASTER_KEY_ID.test(id)) throw new MasterKeyError(`master key id ${JSON.stringify(id.slice(0, 64))} is not 1–64 letters, digits, ., _ or -`)
      if (keys.has(id)) throw new MasterKeyError(`master key id ${id} is given twice`)
      if (key.length !== MASTER_KEY_BYTES) throw new MasterKeyError(`master key ${id} is ${key.length} bytes; it must be ${MASTER_KEY_BYTES} (AES-256)`)
      keys.set(id, Buffer.from(key))
    }
    this.#keys = keys
    this.currentId = entries[0]!.id
  }

  get ids (): string[] {
    return [...this.#keys.keys()]
  }

  /** The key bytes of `id`, for sealing and opening only; undefined when the set lacks it. */
  key (id: string): Buffer | undefined {
    return this.#keys.get(id)
  }

  current (): { id: string, key: Buffer } {
    return { id: this.currentId, key: this.#keys.get(this.currentId)! }
  }

  toJSON (): { current: string, ids: string[] } {
    return { current: this.currentId, ids: this.ids }
  }

  [inspect.custom] (): string {
    return `MasterKeySet { current: ${this.currentId}, ids: [${this.ids.join(', ')}] }`
  }
}

/**
 * Reads `id:base64(32 bytes)` entries separated by commas (or new lines, for a key file); the first
 * is current. Base64 may be standard or URL-safe.
 */
export function parseMasterKeys (text: string): MasterKeySet {
  const entries = text.split(/[,\n\r]+/).map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('#'))
  if (entries.length === 0) throw new MasterKeyError('no master key given')
  return new MasterKeySet(entries.map((entry, i) => {
    const colon = entry.indexOf(':')
    if (colon <= 0) throw new MasterKeyError(`master key entry ${i + 1} is not id:base64`)
    const id = entry.slice(0, colon).trim()
    const encoded = entry.slice(colon + 1).trim()
    if (!BASE64.test(encoded)) throw new MasterKeyError(`master key ${MASTER_KEY_ID.test(id) ? id : `entry ${i + 1}`} is not base64`)
    return { id, key: Buffer.from(encoded, 'base64') }
  }))
}
