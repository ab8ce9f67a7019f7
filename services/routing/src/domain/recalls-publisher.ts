import { and, asc, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm'
import type { JetStreamClient } from '@nats-io/jetstream'
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import { recallMessageId, recallSubject, type RecallMessage } from '@lienthong/contracts'
import { deliveries, documents } from '../db/schema.ts'

type Db = PostgresJsDatabase<Record<string, unknown>>

/**
 * Publishes the document's recalls that JetStream has not acknowledged yet, one message per
 * recipient, and marks them sent. The message id is derived from (document, recipient), so a
 * repeat after a failure or a crash never makes a second recall. Returns how many were sent;
 * throws when JetStream does not take them all (those it took are sent again next time, harmlessly).
 */
export async function sendPendingRecalls (js: JetStreamClient, db: Db, doc: { id: string, sender: string }): Promise<number> {
  const pending = await db.select({ recipient: deliveries.recipient, requestedAt: deliveries.recallRequestedAt, note: deliveries.recallNote })
    .from(deliveries)
    .where(and(eq(deliveries.documentId, doc.id), isNotNull(deliveries.recallRequestedAt), isNull(deliveries.recallPublishedAt)))
  await Promise.all(pending.map(async (r) => {
    const message: RecallMessage = {
      documentId: doc.id,
      sender: doc.sender,
      recipient: r.recipient,
      requestedAt: r.requestedAt!.toISOString(),
      ...(r.note !== null ? { note: r.note } : {})
    }
    await js.publish(recallSubject(r.recipient), JSON.stringify(message), { msgID: recallMessageId(doc.id, r.recipient), timeout: 5_000 })
  }))
  const recipients = pending.map((r) => r.recipient)
  for (let i = 0; i < recipients.length; i += 5000) {
    await db.update(deliveries).set({ recallPublishedAt: sql`now()` })
      .where(and(eq(deliveries.documentId, doc.id), inArray(deliveries.recipient, recipients.slice(i, i + 5000))))
  }
  return pending.length
}

/** Documents with recalls stored longer than `olderThanMs` ago and not yet acknowledged by JetStream. */
export async function documentsWithUnsentRecalls (db: Db, olderThanMs: number, limit = 100): Promise<{ id: string, sender: string }[]> {
  return await db.selectDistinct({ id: documents.id, sender: documents.sender }).from(deliveries)
    .innerJoin(documents, eq(documents.id, deliveries.documentId))
    .where(and(
      isNotNull(deliveries.recallRequestedAt),
      isNull(deliveries.recallPublishedAt),
      lt(deliveries.recallRequestedAt, sql`now() - make_interval(secs => ${olderThanMs / 1000})`)
    ))
    .orderBy(asc(documents.id)).limit(limit)
}
