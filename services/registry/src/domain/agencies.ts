import { and, asc, eq, gt, inArray, like, ne, sql as raw, type SQL } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { parentCode, subtreeTokenPrefix, type AgencyInput, type AgencyStatus, type DirectoryEntry, type GovernmentLevel } from '@lienthong/contracts'
import { agencies } from '../db/schema.ts'
import { foldForSearch } from './name-search.ts'
import { inputColumns, toDirectoryEntry, type AgencyRow } from './agency-rows.ts'
import type { ParentFacts } from './agency-placement.ts'
import type { RegistryOutbox } from './event-outbox.ts'
import { agencyChanged, agencyCreated } from './registry-events.ts'
import type { RegistryEvent } from '@lienthong/contracts'

type Db = PostgresJsDatabase<Record<string, unknown>>

export { toDirectoryEntry }

/**
 * Inserts or updates agencies in one transaction, with an `agency.created` or `agency.changed`
 * event for each row written. The version rises only for rows that changed, so importing the same
 * file twice changes (and tells) nothing; status is never touched by an import.
 * Returns the rows that were written.
 */
export async function upsertAgencies (db: Db, outbox: RegistryOutbox, inputs: AgencyInput[]): Promise<DirectoryEntry[]> {
  const written: DirectoryEntry[] = []
  const recorded: RegistryEvent[] = []
  await db.transaction(async (tx) => {
    for (let i = 0; i < inputs.length; i += 2000) {
      const before = await lockedEntries(tx, inputs.slice(i, i + 2000).map((a) => a.code))
      const rows = await tx.insert(agencies).values(inputs.slice(i, i + 2000).map(inputColumns)).onConflictDoUpdate({
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
      const entries = rows.map(toDirectoryEntry)
      written.push(...entries)
      const now = new Date()
      recorded.push(...await outbox.record(tx, entries.flatMap((e) => {
        const was = before.get(e.code)
        const told = was === undefined ? agencyCreated(e, 'import', now) : agencyChanged(was, e, 'import', now)
        return told === undefined ? [] : [told]
      })))
    }
  })
  outbox.publish(recorded)
  return written
}

/** The agencies of these codes that exist, locked until the transaction ends: what a write changes them from. */
export async function lockedEntries (tx: Db, codes: string[]): Promise<Map<string, DirectoryEntry>> {
  const found = new Map<string, DirectoryEntry>()
  for (let i = 0; i < codes.length; i += 5000) {
    const rows = await tx.select().from(agencies).where(inArray(agencies.code, codes.slice(i, i + 5000))).for('update')
    for (const r of rows) found.set(r.code, toDirectoryEntry(r))
  }
  return found
}

/** Inserts one new agency; undefined when the code is taken. */
export async function insertAgency (db: Db, input: AgencyInput, endpoints: { webhookUrl?: string | null, mailAddress?: string | null } = {}): Promise<DirectoryEntry | undefined> {
  const rows = await db.insert(agencies).values({ ...inputColumns(input), ...endpoints }).onConflictDoNothing().returning()
  return rows[0] !== undefined ? toDirectoryEntry(rows[0]) : undefined
}

export interface AgencyChanges {
  name?: string
  level?: GovernmentLevel
  kind?: AgencyInput['kind']
  webhookUrl?: string | null
  mailAddress?: string | null
}

/** Applies changes to an agency and raises its version; undefined when there is no such agency. */
export async function updateAgency (db: Db, code: string, changes: AgencyChanges): Promise<DirectoryEntry | undefined> {
  const set: Partial<AgencyRow> & Record<string, unknown> = { updatedAt: raw`now()`, version: raw`${agencies.version} + 1` } as never
  if (changes.name !== undefined) {
    set.name = changes.name.normalize('NFC')
    set.nameSearch = foldForSearch(changes.name)
  }
  if (changes.level !== undefined) set.level = changes.level
  if (changes.kind !== undefined) set.kind = changes.kind
  if (changes.webhookUrl !== undefined) set.webhookUrl = changes.webhookUrl
  if (changes.mailAddress !== undefined) set.mailAddress = changes.mailAddress
  const rows = await db.update(agencies).set(set).where(eq(agencies.code, code)).returning()
  return rows[0] !== undefined ? toDirectoryEntry(rows[0]) : undefined
}

/** Moves an agency to a status, recording when; the version rises. */
export async function setAgencyStatus (db: Db, code: string, status: AgencyStatus): Promise<DirectoryEntry | undefined> {
  const rows = await db.update(agencies).set({
    status,
    statusSince: raw`now()` as never,
    ...(status === 'suspended' ? { suspendedAt: raw`now()` as never } : {}),
    ...(status === 'retired' ? { retiredAt: raw`now()` as never } : {}),
    version: raw`${agencies.version} + 1` as never,
    updatedAt: raw`now()` as never
  }).where(eq(agencies.code, code)).returning()
  return rows[0] !== undefined ? toDirectoryEntry(rows[0]) : undefined
}

export async function getAgency (db: Db, code: string): Promise<DirectoryEntry | undefined> {
  const rows = await db.select().from(agencies).where(eq(agencies.code, code)).limit(1)
  return rows[0] !== undefined ? toDirectoryEntry(rows[0]) : undefined
}

/**
 * Level, kind and status of one agency, locked until the transaction ends: `share` while adding a
 * child under it, `update` while retiring it, so the two cannot cross.
 */
export async function lockedFacts (tx: Db, code: string, mode: 'share' | 'update'): Promise<ParentFacts | undefined> {
  const rows = await tx.select({ level: agencies.level, kind: agencies.kind, status: agencies.status })
    .from(agencies).where(eq(agencies.code, code)).for(mode === 'share' ? 'share' : 'update')
  const r = rows[0]
  return r !== undefined ? { level: r.level as GovernmentLevel, kind: r.kind, status: r.status as AgencyStatus } : undefined
}

/** Level, kind and status of the given codes that exist, for checking where new agencies go. */
export async function parentFacts (db: Db, codes: string[]): Promise<Map<string, ParentFacts>> {
  const found = new Map<string, ParentFacts>()
  for (let i = 0; i < codes.length; i += 10_000) {
    const rows = await db.select({ code: agencies.code, level: agencies.level, kind: agencies.kind, status: agencies.status })
      .from(agencies).where(inArray(agencies.code, codes.slice(i, i + 10_000)))
    for (const r of rows) found.set(r.code, { level: r.level as GovernmentLevel, kind: r.kind, status: r.status as AgencyStatus })
  }
  return found
}

export interface AgencyQuery {
  level?: GovernmentLevel
  status?: AgencyStatus
  /** an agency code: only agencies below it */
  under?: string
  q?: string
  cursor?: string
  limit: number
}

/** A page of agencies in code order; `next` is the cursor of the following page. */
export async function listAgencies (db: Db, query: AgencyQuery): Promise<{ items: DirectoryEntry[], next: string | null }> {
  const where: SQL[] = []
  if (query.level !== undefined) where.push(eq(agencies.level, query.level))
  if (query.status !== undefined) where.push(eq(agencies.status, query.status))
  if (query.under !== undefined) {
    where.push(like(agencies.path, `${subtreeTokenPrefix(query.under)}%`), ne(agencies.code, query.under))
  }
  if (query.q !== undefined && query.q !== '') where.push(like(agencies.nameSearch, `%${foldForSearch(query.q).replace(/[%_\\]/g, '\\$&')}%`))
  if (query.cursor !== undefined) where.push(gt(agencies.code, query.cursor))
  const rows = await db.select().from(agencies).where(and(...where)).orderBy(asc(agencies.code)).limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  return { items: page.map(toDirectoryEntry), next: rows.length > query.limit ? page[page.length - 1]!.code : null }
}

export async function childrenOf (db: Db, code: string): Promise<DirectoryEntry[]> {
  return (await db.select().from(agencies).where(eq(agencies.parent, code)).orderBy(asc(agencies.code))).map(toDirectoryEntry)
}

/** From the agency's parent up to the root: the chain follows from the code alone. */
export async function ancestorsOf (db: Db, code: string): Promise<DirectoryEntry[]> {
  const chain: string[] = []
  for (let p = parentCode(code); p !== null; p = parentCode(p)) chain.push(p)
  if (chain.length === 0) return []
  const rows = await db.select().from(agencies).where(inArray(agencies.code, chain))
  const byCode = new Map(rows.map((r) => [r.code, r]))
  return chain.flatMap((c) => { const r = byCode.get(c); return r !== undefined ? [toDirectoryEntry(r)] : [] })
}

/** Children that are not retired: an agency cannot retire while they still work under it. */
export async function liveChildren (db: Db, code: string): Promise<string[]> {
  const rows = await db.select({ code: agencies.code }).from(agencies).where(and(eq(agencies.parent, code), ne(agencies.status, 'retired')))
  return rows.map((r) => r.code)
}

export async function countAgencies (db: Db): Promise<number> {
  const [row] = await db.select({ n: raw<number>`count(*)::int` }).from(agencies)
  return row?.n ?? 0
}

export async function allAgencies (db: Db): Promise<DirectoryEntry[]> {
  return (await db.select().from(agencies)).map(toDirectoryEntry)
}

/** Those of the codes that name no agency. */
export async function unknownAgencies (db: Db, codes: string[]): Promise<string[]> {
  const found = new Set<string>()
  for (let i = 0; i < codes.length; i += 5000) {
    const rows = await db.select({ code: agencies.code }).from(agencies).where(inArray(agencies.code, codes.slice(i, i + 5000)))
    for (const r of rows) found.add(r.code)
  }
  return codes.filter((c) => !found.has(c))
}
