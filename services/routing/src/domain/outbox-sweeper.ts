import type { RoutingContext } from '../context.ts'
import { publishDeliveries } from './deliveries-publisher.ts'
import { markPublished, unpublishedDocuments } from './document-store.ts'
import { documentsWithUnsentRecalls, sendPendingRecalls } from './recalls-publisher.ts'

/**
 * Publishes what was stored but never acknowledged by JetStream (NATS was down, or routing died
 * between the two): documents' deliveries, then recalls. Message ids derived from (document,
 * recipient) make this safe to repeat; the inbox's unique keys make it safe beyond JetStream's
 * duplicate window.
 */
export async function sweepOutbox (ctx: RoutingContext, graceMs: number): Promise<number> {
  return await sweepDocuments(ctx, graceMs) + await sweepRecalls(ctx, graceMs)
}

async function sweepDocuments (ctx: RoutingContext, graceMs: number): Promise<number> {
  const rows = await unpublishedDocuments(ctx.db, graceMs)
  let published = 0
  for (const row of rows) {
    // One document that cannot be published must not hold back the others.
    try {
      await publishDeliveries(ctx.js, row)
      await markPublished(ctx.db, [row.id])
      published++
    } catch (err) {
      ctx.log.warn({ err, documentId: row.id }, 'outbox: document not published yet')
    }
  }
  return published
}

async function sweepRecalls (ctx: RoutingContext, graceMs: number): Promise<number> {
  let sent = 0
  for (const doc of await documentsWithUnsentRecalls(ctx.db, graceMs)) {
    try {
      sent += await sendPendingRecalls(ctx.js, ctx.db, doc)
    } catch (err) {
      ctx.log.warn({ err, documentId: doc.id }, 'outbox: recall not sent yet')
    }
  }
  return sent
}
