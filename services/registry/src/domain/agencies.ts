import { and, asc, eq, gt, like, sql as raw, type SQL } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { parentCode, type AgencyInput, type DirectoryEntry, type GovernmentLevel } from '@lienthong/contracts'
import { agencies } from '../db/schema.ts'
import { foldForSearch } from './name-search.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
type AgencyRow = typeof agencies.$inferSelect

export function toDirectoryEntry (row: AgencyRow): DirectoryEntry {
  return {
    code: row.code,
    name: row.name,
    level: row.level as GovernmentLevel,
    kind: row.kind as DirectoryEntry['kind'],
    parent: row.parent,
    status: row.status as DirectoryEntry['status'],
    version: row.version
  }
}

/**
 * Inserts or updates agencies in one transaction. The version rises only for rows that changed,
 * so importing the same file twice changes nothing. Returns the rows that were written.
 */
export async function upsertAgencies (db: Db, inputs: AgencyInput[]): Promise<DirectoryEntry[]> {
  const written: DirectoryEntry[] = []
  await db.transaction(async (tx) => {
    for (let i = 0; i < inputs.length; i += 1000) {
      const chunk = inputs.slice(i, i + 1000).map((a) => ({
        code: a.code,
        name: a.name.normalize('NFC'),
        nameSearch: foldForSearch(a.name),
        level: a.level,
        kind: a.kind,
        parent: parentCode(a.code)
      }))
      const rows = await tx.insert(agencies).values(chunk).onConflictDoUpdate({
        target: agencies.code,
        set: {
          name: raw`excluded.name`,
          nameSearch: raw`excluded.name_search`,
          level: raw`excluded.level`,
          kind: raw`excluded.kind`,
          version: raw`${agencies.version} + 1`,
          updatedAt: raw`now()`
        },
        setWhere: raw`(${agencies.name}, ${agencies.level}, ${agencies.kind}) is distinct from (excluded.name, excluded.level, excluded.kind)`
      }).returning()
      written.push(...rows.map(toDirectoryEntry))
    }
  })
  return written
}

export async function getAgency (db: Db, code: string): Promise<DirectoryEntry | undefined> {
  const rows = await db.select().from(agencies).where(eq(agencies.code, code)).limit(1)
  return rows[0] !== undefined ? toDirectoryEntry(rows[0]) : undefined
}

export interface AgencyQuery {
  level?: GovernmentLevel
  q?: string
  cursor?: string
  limit: number
}

/** A page of agencies in code order; `next` is the cursor of the following page. */
export async function listAgencies (db: Db, query: AgencyQuery): Promise<{ items: DirectoryEntry[], next: string | null }> {
  const where: SQL[] = []
  if (query.level !== undefined) where.push(eq(agencies.level, query.level))
  if (query.q !== undefined && query.q !== '') where.push(like(agencies.nameSearch, `%${foldForSearch(query.q).replace(/[%_\\]/g, '\\$&')}%`))
  if (query.cursor !== undefined) where.push(gt(agencies.code, query.cursor))
  const rows = await db.select().from(agencies).where(and(...where)).orderBy(asc(agencies.code)).limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  return { items: page.map(toDirectoryEntry), next: rows.length > query.limit ? page[page.length - 1]!.code : null }
}

export async function allAgencies (db: Db): Promise<DirectoryEntry[]> {
  return (await db.select().from(agencies)).map(toDirectoryEntry)
}
