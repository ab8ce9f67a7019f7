import type { RoutingContext } from '../context.ts'
import { publishDeliveries } from './deliveries-publisher.ts'
import { markPublished, unpublishedDocuments } from './document-store.ts'

/**
 * Publishes documents that were stored but whose deliveries JetStream never acknowledged (NATS
 * was down, or routing died between the two). The deliveries' message ids make this safe to
 * repeat; the inbox's unique key makes it safe beyond JetStream's duplicate window.
 */
export async function sweepOutbox (ctx: RoutingContext, graceMs: number): Promise<number> {
  const rows = await unpublishedDocuments(ctx.db, graceMs)
  let published = 0
  for (const row of rows) {
    // One document that cannot be published must not hold back the others.
    try {
      await publishDeliveries(ctx.js, row)
      await markPublished(ctx.db, row.id)
      published++
    } catch (err) {
      ctx.log.warn({ err, documentId: row.id }, 'outbox: document not published yet')
    }
  }
  return published
}
