import { sql } from 'drizzle-orm'
import type { DirectoryEntry } from '@lienthong/contracts'
import { directoryKey } from '@lienthong/platform'
import type { RegistryContext } from '../context.ts'
import { agencies } from '../db/schema.ts'

const CONCURRENCY = 256

/**
 * Puts agencies into the directory bucket that every service watches, then records the versions
 * put. Registry's table is the truth and the bucket a copy: rows whose published version lags
 * are the outbox that `directorySync` works off.
 */
export async function publishDirectory (ctx: Pick<RegistryContext, 'db' | 'directoryBucket'> & { answers?: RegistryContext['answers'] }, entries: DirectoryEntry[]): Promise<number> {
  // This copy's own reads must show its writes at once, before the bucket's echo arrives.
  ctx.answers?.clear()
  for (let i = 0; i < entries.length; i += CONCURRENCY) {
    await Promise.all(entries.slice(i, i + CONCURRENCY).map(async (e) => await ctx.directoryBucket.put(directoryKey(e.code), JSON.stringify(e))))
  }
  for (let i = 0; i < entries.length; i += 10_000) {
    const chunk = entries.slice(i, i + 10_000)
    await ctx.db.execute(sql`
      update ${agencies} set published_version = v.version
      from unnest(${`{${chunk.map((e) => e.code).join(',')}}`}::text[], ${`{${chunk.map((e) => e.version).join(',')}}`}::int[]) as v(code, version)
      where ${agencies.code} = v.code and (${agencies.publishedVersion} is null or ${agencies.publishedVersion} < v.version)`)
  }
  return entries.length
}
