import { and, eq, isNull, lt, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { DocumentFields } from '@lienthong/contracts'
import { deliveries, documents, events } from '../db/schema.ts'
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
 * Stores a document, a queued delivery per recipient and the `document.sent` event as one
 * statement: atomic without a transaction's four extra round trips, which at hundreds of sends a
 * second are most of a send's time in the database. When the id, the idempotency key or the
 * number is already taken, nothing is written and that row is returned instead, so the caller can
 * tell a retry (same digest) from a conflict. The event is published once the statement committed
 * (or by the sweeper).
 */
export async function storeDocument (db: Db, outbox: RoutingOutbox, doc: NewDocument): Promise<{ created: boolean, row: DocumentRow }> {
  const business = doc.fields.business
  const row: DocumentRow = {
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
    // the service's clock, not the database's: the event below must carry it before the row exists
    acceptedAt: new Date(),
    publishedAt: null,
    envelope: doc.signed.envelope,
    signatures: doc.signed.signatures,
    envelopeDigest: doc.signed.digest,
    signedBy: doc.signed.signedBy,
    businessType: business?.type ?? null,
    originalId: business?.original ?? null
  }
  const [event] = outbox.stamp([documentSent(row)]) as [RoutingEvent]
  const inserted = await db.execute<{ id: string }>(sql`
    with doc as (
      insert into ${documents} (id, sender, idempotency_key, request_digest, priority, issued_year, number, notation, fields, recipients,
        accepted_at, envelope, signatures, envelope_digest, signed_by)
      values (${row.id}, ${row.sender}, ${row.idempotencyKey}, ${row.requestDigest}, ${row.priority}, ${row.issuedYear}, ${row.number}, ${row.notation},
        ${JSON.stringify(row.fields)}::jsonb, ${sql.param(row.recipients)}::text[], ${row.acceptedAt.toISOString()}::timestamptz,
        ${JSON.stringify(row.envelope)}::jsonb, ${JSON.stringify(row.signatures)}::jsonb, ${row.envelopeDigest}, ${row.signedBy})
      on conflict do nothing
      returning id
    ), delivered as (
      insert into ${deliveries} (document_id, recipient) select doc.id, r from doc, unnest(${sql.param(row.recipients)}::text[]) as r
    ), told as (
      insert into ${events} (id, agency, body) select ${event.id}::uuid, ${event.agency}, ${JSON.stringify(event)}::jsonb from doc
    )
    select id from doc`)
  if (inserted.length > 0) {
    outbox.publish([event])
    return { created: true, row }
  }
  // The row that conflicted cannot vanish: documents are never deleted.
  return { created: false, row: (await findDocument(db, doc))! }
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

/** Marks documents whose every delivery JetStream acknowledged: one statement for all of them. */
export async function markPublished (db: Db, ids: string[]): Promise<void> {
  await db.execute(sql`update ${documents} set published_at = now() where id = any(${sql.param(ids)}::text[]) and published_at is null`)
}

/** Accepted documents whose deliveries were not all acknowledged by JetStream, oldest first. */
export async function unpublishedDocuments (db: Db, olderThanMs: number, limit = 100): Promise<DocumentRow[]> {
  return await db.select().from(documents)
    .where(and(isNull(documents.publishedAt), lt(documents.acceptedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`)))
    .orderBy(documents.acceptedAt).limit(limit)
}
