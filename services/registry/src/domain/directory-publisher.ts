import type { KV } from '@nats-io/kv'
import type { DirectoryEntry } from '@lienthong/contracts'
import { directoryKey } from '@lienthong/platform'

const CONCURRENCY = 256

/**
 * Puts agencies into the directory bucket that every service watches. Registry's table is the
 * truth; the bucket is a copy, so this runs after each committed write and again at start.
 */
export async function publishDirectory (kv: KV, entries: Iterable<DirectoryEntry>): Promise<number> {
  let count = 0
  let batch: Promise<unknown>[] = []
  for (const entry of entries) {
    batch.push(kv.put(directoryKey(entry.code), JSON.stringify(entry)))
    count++
    if (batch.length >= CONCURRENCY) {
      await Promise.all(batch)
      batch = []
    }
  }
  await Promise.all(batch)
  return count
}
