import { createHash } from 'node:crypto'

/**
 * SHA-256 of an attachment read chunk by chunk (a `Readable`, a web `ReadableStream` or any
 * iterable of bytes), so a 100 MB PDF costs one chunk of memory.
 *
 * The result is lower-case hex, 64 characters: the same form as `sha256Hex`, which the envelope's
 * attachment digests and the object-store names use.
 */
export async function attachmentDigest (chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of chunks) {
    // A stream with setEncoding() yields text whose bytes are no longer the file's bytes.
    if (!(chunk instanceof Uint8Array)) throw new TypeError('attachment chunks must be bytes, not text')
    hash.update(chunk)
  }
  return hash.digest('hex')
}
