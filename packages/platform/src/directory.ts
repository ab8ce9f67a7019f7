import type { NatsConnection } from '@nats-io/transport-node'
import type { KV } from '@nats-io/kv'
import { DirectoryEntry, KV_BUCKETS } from '@lienthong/contracts'
import { KvMirror, openBucket } from './kv-mirror.ts'

/** The agency directory as every service sees it: registry's KV bucket, mirrored in memory. */
export class Directory extends KvMirror<DirectoryEntry> {
  constructor () {
    super(KV_BUCKETS.directory, (value) => {
      const parsed = DirectoryEntry.safeParse(value)
      return parsed.success ? parsed.data : undefined
    })
  }
}

export async function openDirectoryBucket (nc: NatsConnection): Promise<KV> {
  return await openBucket(nc, KV_BUCKETS.directory)
}
