import { and, asc, eq, inArray, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { Business } from '@lienthong/contracts'
import { items } from '../db/schema.ts'
import type { ItemRow } from './item-store.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/** An update (2) or replacement (3) as the recipient sees it: with its own item of the original, if it got one. */
export interface OriginalLink {
  type: 2 | 3
  documentId: string
  reason: string | null
  /** this agency's item of the original; null when the original was not sent to it */
  itemId: string | null
}

export function businessOf (item: Pick<ItemRow, 'fields'>): Business | undefined {
  return (item.fields as { business?: Business }).business
}

/** The link to the original of each update or replacement among the items, in one query. */
export async function originalLinks (db: Db, agency: string, list: ReadonlyArray<Pick<ItemRow, 'id' | 'fields'>>): Promise<Map<string, OriginalLink>> {
  const wanted = list.flatMap((item) => { const b = businessOf(item); return b === undefined ? [] : [{ item, b }] })
  if (wanted.length === 0) return new Map()
  const originals = await db.select({ id: items.id, documentId: items.documentId }).from(items)
    .where(and(eq(items.recipient, agency), inArray(items.documentId, [...new Set(wanted.map((w) => w.b.original))])))
  const itemOf = new Map(originals.map((o) => [o.documentId, o.id]))
  return new Map(wanted.map(({ item, b }) => [item.id, { type: b.type, documentId: b.original, reason: b.reason ?? null, itemId: itemOf.get(b.original) ?? null }]))
}

export interface LaterLink { documentId: string, itemId: string }

/** The agency's later items that update or replace this document, oldest first. */
export async function laterLinks (db: Db, agency: string, documentId: string): Promise<{ updates: LaterLink[], replacements: LaterLink[] }> {
  const rows = await db.select({ itemId: items.id, documentId: items.documentId, type: sql<number>`(${items.fields}->'business'->>'type')::integer` }).from(items)
    .where(and(eq(items.recipient, agency), sql`${items.fields} ? 'business'`, sql`(${items.fields}->'business'->>'original') = ${documentId}`))
    .orderBy(asc(items.id))
  const link = (r: typeof rows[number]): LaterLink => ({ documentId: r.documentId, itemId: r.itemId })
  return { updates: rows.filter((r) => r.type === 2).map(link), replacements: rows.filter((r) => r.type === 3).map(link) }
}
