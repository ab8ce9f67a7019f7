import { and, eq, isNull, lt, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { DocumentFields } from '@lienthong/contracts'
import { deliveries, documents } from '../db/schema.ts'
import type { SignedEnvelope } from './envelope-signing.ts'

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
 * Stores a document and a queued delivery per recipient in one transaction. When the id, the
 * idempotency key or the number is already taken, nothing is written and that row is returned instead,
 * so the caller can tell a retry (same digest) from a conflict.
 */
export async function storeDocument (db: Db, doc: NewDocument): Promise<{ created: boolean, row: DocumentRow }> {
  return await db.transaction(async (tx) => {
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
      return { created: true, row: inserted[0] }
    }
    // The row that conflicted cannot vanish: documents are never deleted.
    return { created: false, row: (await findDocument(tx, doc))! }
  })
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
