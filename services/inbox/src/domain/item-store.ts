import { and, desc, eq, lt, asc, isNull, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { uuidv7 } from 'uuidv7'
import type { DeliveryMessage, StatusCode } from '@lienthong/contracts'
import { items, steps } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
export type ItemRow = typeof items.$inferSelect
export type StepRow = typeof steps.$inferSelect

/**
 * Stores a delivered document in its recipient's inbox with its arrival step (01). The unique
 * (document, recipient) key, not a look-before-insert, makes a second delivery a no-op; the
 * arrival step is returned either way so its status message can be (re)published.
 */
export async function storeArrival (db: Db, delivery: DeliveryMessage): Promise<{ item: ItemRow, step: StepRow, created: boolean }> {
  return await db.transaction(async (tx) => {
    const inserted = await tx.insert(items).values({
      id: uuidv7(),
      documentId: delivery.documentId,
      recipient: delivery.recipient,
      sender: delivery.sender,
      subject: delivery.document.subject,
      priority: delivery.document.priority,
      fields: delivery.document,
      recipients: delivery.recipients,
      sentAt: new Date(delivery.sentAt),
      state: '01'
    }).onConflictDoNothing().returning()
    const item = inserted[0] ?? (await tx.select().from(items)
      .where(and(eq(items.documentId, delivery.documentId), eq(items.recipient, delivery.recipient))))[0]!
    await tx.insert(steps).values({ itemId: item.id, code: '01', channel: 'online' }).onConflictDoNothing()
    const step = (await tx.select().from(steps).where(and(eq(steps.itemId, item.id), eq(steps.code, '01'))))[0]!
    return { item, step, created: inserted[0] !== undefined }
  })
}

/** The item, locked for the rest of the transaction, if it is in this agency's inbox. */
export async function lockItem (tx: Db, id: string, agency: string): Promise<ItemRow | undefined> {
  const rows = await tx.select().from(items).where(and(eq(items.id, id), eq(items.recipient, agency))).for('update')
  return rows[0]
}

export async function appendStep (tx: Db, item: ItemRow, step: { code: StatusCode, channel: string, note?: string, official?: unknown }): Promise<StepRow> {
  const rows = await tx.insert(steps).values({
    itemId: item.id, code: step.code, channel: step.channel, note: step.note, official: step.official ?? null
  }).returning()
  await tx.update(items).set({ state: step.code, updatedAt: sql`now()` }).where(eq(items.id, item.id))
  return rows[0]!
}

export async function markStepPublished (db: Db, stepId: number): Promise<void> {
  await db.update(steps).set({ publishedAt: sql`now()` }).where(eq(steps.id, stepId))
}

export interface InboxPage { items: ItemRow[], next: string | null }

/** Newest first; the cursor is the last item's id, so new arrivals never shift a later page. */
export async function listItems (db: Db, agency: string, query: { state?: string, cursor?: string, limit: number }): Promise<InboxPage> {
  const where = [eq(items.recipient, agency)]
  if (query.state !== undefined) where.push(eq(items.state, query.state))
  if (query.cursor !== undefined) where.push(lt(items.id, query.cursor))
  const rows = await db.select().from(items).where(and(...where)).orderBy(desc(items.id)).limit(query.limit + 1)
  const page = rows.slice(0, query.limit)
  return { items: page, next: rows.length > query.limit ? page[page.length - 1]!.id : null }
}

export async function getItem (db: Db, id: string, agency: string): Promise<{ item: ItemRow, steps: StepRow[] } | undefined> {
  const rows = await db.select().from(items).where(and(eq(items.id, id), eq(items.recipient, agency)))
  const item = rows[0]
  if (item === undefined) return undefined
  return { item, steps: await db.select().from(steps).where(eq(steps.itemId, id)).orderBy(asc(steps.id)) }
}

/** Steps whose status message JetStream has not acknowledged, with their items. */
export async function unpublishedSteps (db: Db, olderThanMs: number, limit = 500): Promise<{ item: ItemRow, step: StepRow }[]> {
  return await db.select({ item: items, step: steps }).from(steps)
    .innerJoin(items, eq(items.id, steps.itemId))
    .where(and(isNull(steps.publishedAt), lt(steps.at, sql`now() - make_interval(secs => ${olderThanMs / 1000})`)))
    .orderBy(asc(steps.at)).limit(limit)
}
