import type { AttachmentDigest } from '@lienthong/contracts'
import type { AttachmentStore } from '@lienthong/platform'

/** Files at most this large are kept in memory between mails: a broadcast attaches one file to every copy. */
const CACHED_FILE_MAX = 8 * 1024 * 1024
const CACHE_BYTES_MAX = 64 * 1024 * 1024

/**
 * An attachment's bytes from the object store, checked against its digest as they are read. The
 * last few files read are kept, so the 1,744 copies of a broadcast read the file once.
 */
export class AttachmentReader {
  readonly #store: AttachmentStore
  readonly #cache = new Map<string, Buffer>()
  #cachedBytes = 0

  constructor (store: AttachmentStore) {
    this.#store = store
  }

  async bytes (a: AttachmentDigest): Promise<Buffer> {
    const cached = this.#cache.get(a.sha256)
    if (cached !== undefined) {
      // most recently used last, so the oldest goes first
      this.#cache.delete(a.sha256)
      this.#cache.set(a.sha256, cached)
      return cached
    }
    const stored = await this.#store.find(a.sha256)
    if (stored === undefined) throw new Error(`attachment ${a.sha256} is not in the object store`)
    const chunks: Uint8Array[] = []
    for await (const chunk of this.#store.read(stored)) chunks.push(chunk)
    const bytes = Buffer.concat(chunks)
    if (bytes.length <= CACHED_FILE_MAX) this.#keep(a.sha256, bytes)
    return bytes
  }

  #keep (sha256: string, bytes: Buffer): void {
    this.#cache.set(sha256, bytes)
    this.#cachedBytes += bytes.length
    for (const [key, value] of this.#cache) {
      if (this.#cachedBytes <= CACHE_BYTES_MAX) break
      this.#cache.delete(key)
      this.#cachedBytes -= value.length
    }
  }
}
