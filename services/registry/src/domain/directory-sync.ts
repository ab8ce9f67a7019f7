import { sql } from 'drizzle-orm'
import type { RegistryContext } from '../context.ts'
import { agencies } from '../db/schema.ts'
import { toDirectoryEntry } from './agency-rows.ts'
import { publishDirectory } from './directory-publisher.ts'

/**
 * Publishes the agencies whose latest version is not in the directory bucket yet. A write is
 * committed before it is published; if the publish failed (NATS away) or the process died in
 * between, this makes the bucket agree with the table within seconds, without anyone retrying.
 */
export async function syncDirectory (ctx: Pick<RegistryContext, 'db' | 'directoryBucket'>, graceMs = 0, batch = 5_000): Promise<number> {
  // Rows younger than the grace are most likely being published by the request that wrote them.
  const rows = await ctx.db.select().from(agencies)
    .where(sql`${agencies.publishedVersion} is distinct from ${agencies.version} and ${agencies.updatedAt} < now() - make_interval(secs => ${graceMs / 1000})`)
    .limit(batch)
  return rows.length > 0 ? await publishDirectory(ctx, rows.map(toDirectoryEntry)) : 0
}
