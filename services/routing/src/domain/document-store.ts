import { and, eq, isNull, lt, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { DocumentFields } from '@lienthong/contracts'
import { deliveries, documents } from '../db/schema.ts'
import type { SignedEnvelope } from './envelope-signing.ts'
import type { NewRoutingEvent, RoutingOutbox } from './event-outbox.ts'
import type { RoutingEvent } from '@lienthong/contracts'

type Db = PostgresJsDatabase<Record<string, unknown>>
export type DocumentRow = typeof documents.$inferSelect

export interface NewDocument {
  id: string
  sender: string
  idempotencyKey: string
  requestDigest: string
  fields: DocumentFields
  recipients: string[]
  signed: SignedEnvelope
}

/**
 * Stores a document, a queued delivery per recipient and the `document.sent` event in one
 * transaction. When the id, the idempotency key or the number is already taken, nothing is written
 * and that row is returned instead, so the caller can tell a retry (same digest) from a conflict.
 * The event is published once the transaction committed (or by the sweeper).
 */
export async function storeDocument (db: Db, outbox: RoutingOutbox, doc: NewDocument): Promise<{ created: boolean, row: DocumentRow }> {
  let recorded: RoutingEvent[] = []
  const stored = await db.transaction(async (tx) => {
    const inserted = await tx.insert(documents).values({
      id: doc.id,
      sender: doc.sender,
      idempotencyKey: doc.idempotencyKey,
      requestDigest: doc.requestDigest,
      priority: doc.fields.priority,
      issuedYear: Number(doc.fields.issuedAt.slice(0, 4)),
      number: doc.fields.number,
      notation: doc.fields.notation,
      fields: doc.fields,
      recipients: doc.recipients,
      envelope: doc.signed.envelope,
      signatures: doc.signed.signatures,
      envelopeDigest: doc.signed.digest,
      signedBy: doc.signed.signedBy
    }).onConflictDoNothing().returning()
    if (inserted[0] !== undefined) {
      for (let i = 0; i < doc.recipients.length; i += 5000) {
        await tx.insert(deliveries).values(doc.recipients.slice(i, i + 5000).map((recipient) => ({ documentId: doc.id, recipient })))
      }
      recorded = await outbox.record(tx, [documentSent(inserted[0])])
      return { created: true, row: inserted[0] }
    }
    // The row that conflicted cannot vanish: documents are never deleted.
    return { created: false, row: (await findDocument(tx, doc))! }
  })
  outbox.publish(recorded)
  return stored
}

/** What an auditor needs of a send, from the stored row (its signed fields, not the request). */
export function documentSent (row: DocumentRow): NewRoutingEvent {
  const fields = row.fields as DocumentFields
  const attachments = (row.envelope as { attachments?: unknown[] } | null)?.attachments?.length ?? 0
  return {
    type: 'document.sent',
    agency: row.sender,
    at: row.acceptedAt.toISOString(),
    documentId: row.id,
    sender: row.sender,
    recipients: row.recipients,
    priority: row.priority,
    number: row.number,
    notation: row.notation,
    documentType: fields.type,
    subject: fields.subject,
    issuedAt: fields.issuedAt,
    attachments,
    signedBy: row.signedBy === 'dms' ? 'dms' : 'custody',
    envelopeDigest: row.envelopeDigest,
    businessType: row.businessType,
    originalId: row.originalId,
    responseFor: fields.responseFor ?? null
  }
}

/**
 * The document a send repeats, if any: the one sent under the same idempotency key, else the one
 * with the same id, else the one with the same số/ký hiệu in the same year.
 */
export async function findDocument (db: Db, doc: Pick<NewDocument, 'id' | 'sender' | 'idempotencyKey' | 'fields'>): Promise<DocumentRow | undefined> {
  const byKey = await db.select().from(documents)
    .where(and(eq(documents.sender, doc.sender), eq(documents.idempotencyKey, doc.idempotencyKey))).limit(1)
  if (byKey[0] !== undefined) return byKey[0]
  const byId = await db.select().from(documents).where(eq(documents.id, doc.id)).limit(1)
  if (byId[0] !== undefined) return byId[0]
  const byNumber = await db.select().from(documents).where(and(
    eq(documents.sender, doc.sender),
    eq(documents.issuedYear, Number(doc.fields.issuedAt.slice(0, 4))),
    eq(documents.number, doc.fields.number),
    eq(documents.notation, doc.fields.notation)
  )).limit(1)
  return byNumber[0]
}

export async function markPublished (db: Db, id: string): Promise<void> {
  await db.update(documents).set({ publishedAt: sql`now()` }).where(and(eq(documents.id, id), isNull(documents.publishedAt)))
}

/** Accepted documents whose deliveries were not all acknowledged by JetStream, oldest first. */
export async function unpublishedDocuments (db: Db, olderThanMs: number, limit = 100): Promise<DocumentRow[]> {
  return await db.select().from(documents)
    .where(and(isNull(documents.publishedAt), lt(documents.acceptedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`)))
    .orderBy(documents.acceptedAt).limit(limit)
}
