import type { NatsConnection } from '@nats-io/transport-node'
import type { KV } from '@nats-io/kv'
import { DirectoryEntry, KV_BUCKETS, codeToSubjectTokens, subjectTokensToCode } from '@lienthong/contracts'
import { KvMirror, parsedBy, openBucket } from './kv-mirror.ts'

/**
 * The agency directory as every service sees it: registry's KV bucket, mirrored in memory and
 * keyed by agency code. Bucket keys are root-first (`H38.31.05.007`), so a district's leaf node can
 * watch only its subtree; a late older version never replaces a newer one.
 */
export class Directory extends KvMirror<DirectoryEntry> {
  constructor () {
    super(KV_BUCKETS.directory, {
      parse: parsedBy(DirectoryEntry),
      localKey: subjectTokensToCode,
      replaces: (current, next) => next.version >= current.version
    })
  }
}

/** The bucket key of an agency: its code root-first. */
export function directoryKey (code: string): string {
  return codeToSubjectTokens(code)
}

export async function openDirectoryBucket (nc: NatsConnection): Promise<KV> {
  return await openBucket(nc, KV_BUCKETS.directory)
}
