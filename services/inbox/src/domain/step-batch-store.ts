import { asc, inArray, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { Receipt } from '@lienthong/contracts'
import { items, steps } from '../db/schema.ts'
import { stepRowOf, type ItemRow, type StepRow } from './item-store.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/** The items with these ids, whoever's they are (the caller checks the agency). */
export async function findItems (db: Db, ids: readonly string[]): Promise<Map<string, ItemRow>> {
  if (ids.length === 0) return new Map()
  const rows = await db.select().from(items).where(inArray(items.id, [...new Set(ids)]))
  return new Map(rows.map((r) => [r.id, r]))
}

/**
 * The items, locked for the rest of the transaction. Locked in id order, so that two transactions
 * locking some of the same items wait for one another rather than deadlock.
 */
export async function lockItems (tx: Db, ids: readonly string[]): Promise<Map<string, ItemRow>> {
  if (ids.length === 0) return new Map()
  const rows = await tx.select().from(items).where(inArray(items.id, [...new Set(ids)])).orderBy(asc(items.id)).for('update')
  return new Map(rows.map((r) => [r.id, r]))
}

/**
 * A step for each of many items (each once): their steps as their signed receipts say, and each item
 * moved to its step's state. The statements are sent together; the steps by item id.
 */
export async function appendSteps (tx: Db, list: ReadonlyArray<{ item: ItemRow, receipt: Receipt, signature: string }>): Promise<Map<string, StepRow>> {
  if (list.length === 0) return new Map()
  const byCode = new Map<string, string[]>()
  for (const { item, receipt } of list) byCode.set(receipt.code, [...(byCode.get(receipt.code) ?? []), item.id])
  const [inserted] = await Promise.all([
    tx.insert(steps).values(list.map(({ item, receipt, signature }) => stepRowOf(item, receipt, signature))).returning(),
    ...[...byCode].map(async ([code, ids]) => await tx.update(items).set({ state: code, updatedAt: sql`now()` }).where(inArray(items.id, ids)))
  ])
  return new Map(inserted.map((s) => [s.itemId!, s]))
}
