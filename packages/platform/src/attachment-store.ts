import { createHash } from 'node:crypto'
import type { NatsConnection } from '@nats-io/transport-node'
import { jetstreamManager, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream'
import { Objm, StorageType, setSha256Backend, type ObjectInfo, type ObjectStore } from '@nats-io/obj'
import { OBJECT_STORES } from '@lienthong/contracts'

/** An attachment as the object store holds it, its SHA-256 confirmed by the store's own digest. */
export interface StoredAttachment {
  sha256: string
  size: number
  /** where its chunks are: `$O.<bucket>.C.<nuid>`, in stream order */
  nuid: string
  chunks: number
}

/** The bytes sent are not the bytes named: nothing of them was kept. */
export class AttachmentMismatchError extends Error {
  readonly actual: { sha256: string, size: number }
  constructor (declared: string, actual: { sha256: string, size: number }) {
    super(`the ${actual.size} bytes sent have SHA-256 ${actual.sha256}, not ${declared}`)
    this.name = 'AttachmentMismatchError'
    this.actual = actual
  }
}

/** The upload went past the limit: reading stopped there, and nothing of it was kept. */
export class AttachmentTooLargeError extends Error {
  readonly limit: number
  constructor (limit: number) {
    super(`the attachment is larger than ${limit} bytes`)
    this.name = 'AttachmentTooLargeError'
    this.limit = limit
  }
}

/** Hex SHA-256 from the object store's `SHA-256=<base64url>` digest, or undefined if it is not one. */
export function objectDigestHex (digest: string): string | undefined {
  const m = /^SHA-256=([A-Za-z0-9_\-+/]+=*)$/.exec(digest)
  if (m === null) return undefined
  const bytes = Buffer.from(m[1]!.replace(/-/g, '+').replace(/_/g, '/'), 'base64')
  return bytes.length === 32 ? bytes.toString('hex') : undefined
}

/**
 * Pulls `source` one chunk at a time as the object store asks for it (so at most one chunk of the
 * upload waits here), hashing and counting. At the end of the source it compares the digest with
 * the declared one and *errors* instead of ending on a mismatch: the object store then purges the
 * chunks it wrote and never publishes the object's metadata, so a wrong upload leaves nothing.
 */
export function checkedStream (source: AsyncIterable<Uint8Array>, declared: string, maxBytes: number): { stream: ReadableStream<Uint8Array>, result: () => { sha256: string, size: number } } {
  const hash = createHash('sha256')
  const it = source[Symbol.asyncIterator]()
  let size = 0
  let sha256 = ''
  const stream = new ReadableStream<Uint8Array>({
    async pull (controller) {
      const { done, value } = await it.next()
      if (done === true) {
        sha256 = hash.digest('hex')
        if (sha256 !== declared) controller.error(new AttachmentMismatchError(declared, { sha256, size }))
        else controller.close()
        return
      }
      size += value.byteLength
      if (size > maxBytes) {
        await it.return?.()
        controller.error(new AttachmentTooLargeError(maxBytes))
        return
      }
      hash.update(value)
      controller.enqueue(value)
    },
    async cancel () { await it.return?.() }
  }, { highWaterMark: 1 })
  return { stream, result: () => ({ sha256, size }) }
}

/**
 * The JetStream object store of attachments, keyed by SHA-256 (lowercase hex): one copy of a file
 * however many documents and recipients name it. Writing streams chunk by chunk, each published
 * and acknowledged before the next is read; reading fetches one chunk at a time by direct get,
 * so neither holds more than a chunk or two of a file, whatever its size.
 */
export class AttachmentStore {
  readonly #os: ObjectStore
  readonly #jsm: JetStreamManager
  readonly #bucket: string

  private constructor (os: ObjectStore, jsm: JetStreamManager, bucket: string) {
    this.#os = os
    this.#jsm = jsm
    this.#bucket = bucket
  }

  static async open (nc: NatsConnection, bucket: string = OBJECT_STORES.attachments): Promise<AttachmentStore> {
    // The library's default SHA-256 is pure JavaScript; Node's is many times faster on 100 MB.
    setSha256Backend('native')
    const os = await new Objm(nc).create(bucket, { storage: StorageType.File })
    return new AttachmentStore(os, await jetstreamManager(nc), bucket)
  }

  /** The attachment of this digest, if it is stored whole and its bytes hash to its name. */
  async find (sha256: string): Promise<StoredAttachment | undefined> {
    const info = await this.#os.info(sha256)
    return info === null ? undefined : asStored(sha256, info)
  }

  /**
   * Stores `source` under `sha256` if its bytes hash to it, at most `maxBytes` of them. An object
   * already stored is not written again: the upload is still read and hashed (so only someone who
   * has the bytes learns that they are here) and `created` is false.
   */
  async store (sha256: string, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<{ attachment: StoredAttachment, created: boolean }> {
    const existing = await this.#os.info(sha256)
    const found = existing === null ? undefined : asStored(sha256, existing)
    const checked = checkedStream(source, sha256, maxBytes)
    if (found !== undefined) {
      await drain(checked.stream)
      return { attachment: found, created: false }
    }
    try {
      // Written only if the name is still free (or a deleted marker): two uploads of one file at
      // once store it once, and the later one never replaces chunks a reader may be fetching.
      const info = await this.#os.put({ name: sha256 }, checked.stream, { previousRevision: existing?.revision ?? 0 })
      const stored = asStored(sha256, info)
      if (stored === undefined) {
        await this.#os.delete(sha256)
        throw new Error(`the object store's digest of ${sha256} disagrees with the bytes hashed here`)
      }
      return { attachment: stored, created: true }
    } catch (err) {
      if (err instanceof AttachmentMismatchError || err instanceof AttachmentTooLargeError) throw err
      if (!/wrong last sequence/i.test(String((err as Error)?.message))) throw err
      const winner = await this.find(sha256)
      if (winner === undefined) throw err
      return { attachment: winner, created: false }
    }
  }

  /**
   * The bytes `start`…`end` (inclusive) of an attachment, chunk by chunk. The store has no random
   * access: earlier chunks are fetched and dropped. A read of the whole file is checked against
   * the SHA-256 at its end and fails there rather than end cleanly on altered bytes.
   */
  async * read (attachment: StoredAttachment, start = 0, end = attachment.size - 1): AsyncGenerator<Uint8Array> {
    const stream = `OBJ_${this.#bucket}`
    const subject = `$O.${this.#bucket}.C.${attachment.nuid}`
    const whole = start === 0 && end === attachment.size - 1
    const hash = whole ? createHash('sha256') : undefined
    // The last piece waits until the digest is checked, so altered bytes never arrive complete.
    let held: Uint8Array | undefined
    let offset = 0
    // The next chunk is asked for while this one is handed on: one round trip hidden per chunk.
    const after = (seq: number): Promise<StoredMsg | null> => {
      const next = this.#jsm.direct.getMessage(stream, { seq: seq + 1, next_by_subj: subject })
      next.catch(() => {}) // awaited below, unless the reader stops first
      return next
    }
    let coming = attachment.chunks > 0 ? after(0) : undefined
    for (let n = 0; coming !== undefined; n++) {
      const m = await coming
      if (m === null) throw new Error(`chunk ${n} of attachment ${attachment.sha256} is missing`)
      const data = m.data
      const from = offset
      offset += data.length
      coming = n + 1 < attachment.chunks && offset <= end ? after(m.seq) : undefined
      hash?.update(data)
      if (offset <= start) continue
      if (held !== undefined) yield held
      held = data.subarray(Math.max(0, start - from), Math.min(data.length, end - from + 1))
    }
    if (hash !== undefined && (offset !== attachment.size || hash.digest('hex') !== attachment.sha256)) {
      throw new Error(`attachment ${attachment.sha256}: the stored bytes no longer hash to it`)
    }
    if (held !== undefined) yield held
  }
}

function asStored (sha256: string, info: ObjectInfo): StoredAttachment | undefined {
  if (info.deleted || objectDigestHex(info.digest) !== sha256) return undefined
  return { sha256, size: info.size, nuid: info.nuid, chunks: info.chunks }
}

async function drain (stream: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stream.getReader()
  for (;;) {
    const { done } = await reader.read()
    if (done) return
  }
}
