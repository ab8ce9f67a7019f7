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
  /** the sender's recall from this recipient, and the recipient's answer so far (15 agreed, 16 refused) */
  recall: { requestedAt: string, note: string | null, sent: boolean, answer: '15' | '16' | null, answeredAt: string | null } | null
}

export interface BusinessLinks {
  /** what this document updates (2) or replaces (3) */
  original: { id: string, type: 2 | 3 } | null
  /** the sender's later documents that update or replace this one, oldest first */
  updates: string[]
  replacements: string[]
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
    deliveries: rows.map((r) => {
      const h = byRecipient.get(r.recipient) ?? []
      const answer = h.find((x) => x.code === '15' || x.code === '16')
      return {
        recipient: r.recipient,
        status: r.status,
        statusName: r.status === 'queued' ? 'queued' : STATUS_CODES[r.status as StatusCode],
        at: r.statusAt?.toISOString() ?? null,
        history: h,
        recall: r.recallRequestedAt === null
          ? null
          : {
              requestedAt: r.recallRequestedAt.toISOString(),
              note: r.recallNote,
              sent: r.recallPublishedAt !== null,
              answer: (answer?.code ?? null) as '15' | '16' | null,
              answeredAt: answer?.at ?? null
            }
      }
    })
  }
}

/** A document's place in its update/replacement chain: the link it carries, and the later ones that name it. */
export async function businessLinks (db: Db, doc: Pick<typeof documents.$inferSelect, 'id' | 'sender' | 'originalId' | 'businessType'>): Promise<BusinessLinks> {
  const later = await db.select({ id: documents.id, type: documents.businessType }).from(documents)
    .where(and(eq(documents.originalId, doc.id), eq(documents.sender, doc.sender))).orderBy(documents.acceptedAt, documents.id)
  return {
    original: doc.originalId === null ? null : { id: doc.originalId, type: doc.businessType as 2 | 3 },
    updates: later.filter((d) => d.type === 2).map((d) => d.id),
    replacements: later.filter((d) => d.type === 3).map((d) => d.id)
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
