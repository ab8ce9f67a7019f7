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
  for (const row of rows) {
    await publishDeliveries(ctx.js, row)
    await markPublished(ctx.db, row.id)
  }
  return rows.length
}
