import { and, eq, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { STATUS_CODES, type Receipt, type StatusCode, type StatusMessage } from '@lienthong/contracts'
import { deliveries, deliveryStatuses, documents } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/**
 * Records recipients' status messages for their senders, many in one transaction of two
 * statements. Idempotent: the history is keyed by (document, recipient, code), and the current
 * status only moves to a later status time, so a redelivered or late message changes nothing.
 */
export async function recordStatuses (db: Db, messages: StatusMessage[]): Promise<void> {
  if (messages.length === 0) return
  // One row per delivery for the current status: an UPDATE … FROM with two matching rows would
  // take either. The latest wins; of two at the same time, the later in the batch (as one by one).
  const latest = new Map<string, StatusMessage['receipt']>()
  for (const { receipt } of messages) {
    const key = `${receipt.documentId}\n${receipt.recipient}`
    const seen = latest.get(key)
    if (seen === undefined || Date.parse(seen.at) <= Date.parse(receipt.at)) latest.set(key, receipt)
  }
  const current = [...latest.values()]
  await db.transaction(async (tx) => {
    await tx.insert(deliveryStatuses).values(messages.map(({ receipt, signature }) => ({
      documentId: receipt.documentId,
      recipient: receipt.recipient,
      code: receipt.code,
      channel: receipt.channel,
      at: new Date(receipt.at),
      note: receipt.note,
      receipt,
      signature
    }))).onConflictDoNothing()
    await tx.execute(sql`update ${deliveries} set status = v.code, status_at = v.at::timestamptz
      from unnest(${sql.param(current.map((r) => r.documentId))}::text[], ${sql.param(current.map((r) => r.recipient))}::text[],
        ${sql.param(current.map((r) => r.code))}::text[], ${sql.param(current.map((r) => r.at))}::text[]) as v(document_id, recipient, code, at)
      where ${deliveries.documentId} = v.document_id and ${deliveries.recipient} = v.recipient
        and (${deliveries.statusAt} is null or ${deliveries.statusAt} <= v.at::timestamptz)`)
  })
}

export async function recordStatus (db: Db, message: StatusMessage): Promise<void> {
  await recordStatuses(db, [message])
}

export interface DeliveryKey { documentId: string, recipient: string, sender: string }

/**
 * The envelope digest of each delivery routing made of a sender's document to a recipient, in
 * the order asked; undefined where there is no such delivery (or no envelope).
 */
export async function deliveryDigests (db: Db, keys: DeliveryKey[]): Promise<Array<string | undefined>> {
  if (keys.length === 0) return []
  const rows = await db.execute<{ i: string, digest: string | null }>(sql`
    select k.i, ${documents.envelopeDigest} as digest
    from unnest(${sql.param(keys.map((k) => k.documentId))}::text[], ${sql.param(keys.map((k) => k.recipient))}::text[], ${sql.param(keys.map((k) => k.sender))}::text[])
      with ordinality as k(document_id, recipient, sender, i)
    join ${deliveries} on ${deliveries.documentId} = k.document_id and ${deliveries.recipient} = k.recipient
    join ${documents} on ${documents.id} = k.document_id and ${documents.sender} = k.sender`)
  const found = new Map(rows.map((r) => [Number(r.i), r.digest ?? undefined]))
  return keys.map((_, i) => found.get(i + 1))
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
