import { gte } from 'drizzle-orm'
import type { RegistryContext } from '../context.ts'
import { agencies } from '../db/schema.ts'
import { toDirectoryEntry } from './agency-rows.ts'
import { publishDirectory } from './directory-publisher.ts'

const OVERLAP_MS = 2_000

/**
 * Publishes again every agency changed since the last successful pass. A write is committed
 * before it is published; if the publish failed (NATS away) or raced with another write, this
 * makes the bucket agree with the table within a few seconds, without anyone retrying.
 */
export function directorySync (ctx: RegistryContext, startedAt: Date): () => Promise<number> {
  let since = new Date(startedAt.getTime() - OVERLAP_MS)
  return async () => {
    const pass = new Date()
    const rows = await ctx.db.select().from(agencies).where(gte(agencies.updatedAt, since))
    const published = await publishDirectory(ctx.directoryBucket, rows.map(toDirectoryEntry))
    since = new Date(pass.getTime() - OVERLAP_MS)
    return published
  }
}
