import { and, eq, isNull, lt, sql } from 'drizzle-orm'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import type { DocumentFields } from '@lienthong/contracts'
import { deliveries, documents } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>
export type DocumentRow = typeof documents.$inferSelect

export interface NewDocument {
  id: string
  sender: string
  idempotencyKey: string
  requestDigest: string
  fields: DocumentFields
  recipients: string[]
}

/**
 * Stores a document and a queued delivery per recipient in one transaction. When the id or the
 * idempotency key is already taken, nothing is written and the existing row is returned instead,
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
      fields: doc.fields,
      recipients: doc.recipients
    }).onConflictDoNothing().returning()
    if (inserted[0] !== undefined) {
      for (let i = 0; i < doc.recipients.length; i += 5000) {
        await tx.insert(deliveries).values(doc.recipients.slice(i, i + 5000).map((recipient) => ({ documentId: doc.id, recipient })))
      }
      return { created: true, row: inserted[0] }
    }
    const byKey = await tx.select().from(documents)
      .where(and(eq(documents.sender, doc.sender), eq(documents.idempotencyKey, doc.idempotencyKey))).limit(1)
    const existing = byKey[0] !== undefined ? byKey : await tx.select().from(documents).where(eq(documents.id, doc.id)).limit(1)
    return { created: false, row: existing[0]! }
  })
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
