import { and, eq, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { InboxEvent, RecallMessage, Receipt } from '@lienthong/contracts'
import { items, steps } from '../db/schema.ts'
import type { EventOutbox, NewEvent } from './event-outbox.ts'
import { insertStep, type ItemRow, type StepRow } from './item-store.ts'
import { receiptOf } from './receipts.ts'
import { recallTakesEffectAtOnce } from './status-transitions.ts'
import { advanceWorkFile, stepEvent } from './work-file-store.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/** The note of the 15 the exchange records for a recipient that had not taken the document in. */
export const WITHDRAWN_AT_ONCE_NOTE = 'withdrawn at once: the recall came before the document was accepted'

export type RecallTaken =
  | { kind: 'not_arrived' }
  | { kind: 'foreign', item: ItemRow }
  | { kind: 'taken', item: ItemRow, agreed: StepRow | undefined }

/**
 * Records the sender's recall on the recipient's item, under a lock on the item so that it and a
 * step the DMS records at the same moment happen one after the other. Where the recipient has not
 * accepted the document, the recall takes effect here: the item is withdrawn and its 15 step
 * stored (unsigned: it is signed and sent like the arrival). Idempotent: the recall is kept once,
 * and a redelivery returns the 15 step again so an unsent one is sent.
 */
export async function storeRecall (db: Db, outbox: EventOutbox, message: RecallMessage, now = new Date()): Promise<RecallTaken> {
  let recorded: InboxEvent[] = []
  const taken = await db.transaction(async (tx): Promise<RecallTaken> => {
    const [found] = await tx.select().from(items)
      .where(and(eq(items.documentId, message.documentId), eq(items.recipient, message.recipient))).for('update')
    if (found === undefined) return { kind: 'not_arrived' }
    if (found.sender !== message.sender) return { kind: 'foreign', item: found }
    let item = found
    if (item.recallRequestedAt === null) {
      const atOnce = recallTakesEffectAtOnce(item.state)
      const [updated] = await tx.update(items).set({
        recallRequestedAt: new Date(message.requestedAt),
        recallNote: message.note ?? null,
        ...(atOnce ? { recallAnswer: '15', recallAnsweredAt: now } : {}),
        updatedAt: sql`now()`
      }).where(eq(items.id, item.id)).returning()
      item = updated!
      // The request (13) is the sender's, not a step of the recipient's: it is told, not stored as a step.
      const requested = await advanceWorkFile(tx, item.id, { code: '13', channel: 'online', at: item.recallRequestedAt! })
      const told: NewEvent[] = [stepEvent(requested, { code: '13', channel: 'online', at: item.recallRequestedAt!, official: null, note: item.recallNote }, item)]
      if (atOnce) {
        const receipt = receiptOf(item, { code: '15', channel: 'online', at: now, note: WITHDRAWN_AT_ONCE_NOTE })
        const [agreed] = await tx.insert(steps).values({ itemId: item.id, workFileId: item.id, code: '15', channel: 'online', at: now, note: receipt.note, receipt }).onConflictDoNothing().returning()
        if (agreed !== undefined) told.push(stepEvent(await advanceWorkFile(tx, item.id, agreed), agreed, item))
      }
      recorded = await outbox.record(tx, told)
    }
    const [agreed] = await tx.select().from(steps).where(and(eq(steps.itemId, item.id), eq(steps.code, '15')))
    return { kind: 'taken', item, agreed }
  })
  outbox.publish(recorded)
  return taken
}

/**
 * Stores the recipient's answer to a recall (15 agreed, 16 refused) as a step, and on the item
 * beside its work state, which the answer never changes.
 */
export async function appendRecallAnswer (tx: Db, item: ItemRow, receipt: Receipt, signature: string): Promise<{ item: ItemRow, step: StepRow }> {
  const step = await insertStep(tx, item, receipt, signature)
  const [updated] = await tx.update(items).set({ recallAnswer: receipt.code, recallAnsweredAt: new Date(receipt.at), updatedAt: sql`now()` })
    .where(eq(items.id, item.id)).returning()
  return { item: updated!, step }
}
