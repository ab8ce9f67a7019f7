import { and, eq, isNull, lte, or, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { STATUS_CODES, type Receipt, type StatusCode, type StatusMessage } from '@lienthong/contracts'
import { deliveries, deliveryStatuses, documents } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/**
 * Records a recipient's status message for the sender. Idempotent: the history is keyed by
 * (document, recipient, code), and the current status only moves to a later status time, so a
 * redelivered or late message changes nothing.
 */
export async function recordStatus (db: Db, message: StatusMessage): Promise<void> {
  const msg = message.receipt
  const at = new Date(msg.at)
  await db.transaction(async (tx) => {
    await tx.insert(deliveryStatuses).values({
      documentId: msg.documentId,
      recipient: msg.recipient,
      code: msg.code,
      channel: msg.channel,
      at,
      note: msg.note,
      receipt: msg,
      signature: message.signature
    }).onConflictDoNothing()
    await tx.update(deliveries).set({ status: msg.code, statusAt: at }).where(and(
      eq(deliveries.documentId, msg.documentId),
      eq(deliveries.recipient, msg.recipient),
      or(isNull(deliveries.statusAt), lte(deliveries.statusAt, at))
    ))
  })
}

export interface DeliveryView {
  recipient: string
  status: string
  statusName: string
  at: string | null
  history: { code: StatusCode, name: string, channel: string, at: string, note: string | null }[]
}

/** A sender's document with each recipient's current status and history; undefined if not theirs. */
export async function documentWithDeliveries (db: Db, id: string, sender: string): Promise<{ doc: typeof documents.$inferSelect, deliveries: DeliveryView[] } | undefined> {
  const doc = await senderDocument(db, id, sender)
  if (doc === undefined) return undefined
  const rows = await db.select().from(deliveries).where(eq(deliveries.documentId, id)).orderBy(deliveries.recipient)
  const history = await db.select().from(deliveryStatuses).where(eq(deliveryStatuses.documentId, id)).orderBy(deliveryStatuses.at, sql`${deliveryStatuses.code}`)
  const byRecipient = new Map<string, DeliveryView['history']>()
  for (const h of history) {
    const list = byRecipient.get(h.recipient) ?? []
    list.push({ code: h.code as StatusCode, name: STATUS_CODES[h.code as StatusCode], channel: h.channel, at: h.at.toISOString(), note: h.note })
    byRecipient.set(h.recipient, list)
  }
  return {
    doc,
    deliveries: rows.map((r) => ({
      recipient: r.recipient,
      status: r.status,
      statusName: r.status === 'queued' ? 'queued' : STATUS_CODES[r.status as StatusCode],
      at: r.statusAt?.toISOString() ?? null,
      history: byRecipient.get(r.recipient) ?? []
    }))
  }
}

export interface StoredReceipt {
  recipient: string
  code: StatusCode
  receipt: Receipt
  signature: string
}

/** Every signed receipt the recipients of a sender's document sent back, in time order. */
export async function receiptsOf (db: Db, id: string, recipient?: string): Promise<StoredReceipt[]> {
  const where = recipient === undefined
    ? eq(deliveryStatuses.documentId, id)
    : and(eq(deliveryStatuses.documentId, id), eq(deliveryStatuses.recipient, recipient))
  const rows = await db.select().from(deliveryStatuses).where(where).orderBy(deliveryStatuses.recipient, deliveryStatuses.at, deliveryStatuses.code)
  return rows.filter((r) => r.receipt !== null && r.signature !== null).map((r) => ({
    recipient: r.recipient, code: r.code as StatusCode, receipt: r.receipt as Receipt, signature: r.signature!
  }))
}

/** The sender's own document row, or undefined. */
export async function senderDocument (db: Db, id: string, sender: string): Promise<typeof documents.$inferSelect | undefined> {
  const docs = await db.select().from(documents).where(and(eq(documents.id, id), eq(documents.sender, sender))).limit(1)
  return docs[0]
}
