import type { InboxContext } from '../context.ts'
import { markStepPublished, unpublishedSteps } from './item-store.ts'
import { publishStatus } from './status-publisher.ts'

/** Sends status messages of steps that were stored but never acknowledged by JetStream. */
export async function sweepOutbox (ctx: InboxContext, graceMs: number): Promise<number> {
  const pending = await unpublishedSteps(ctx.db, graceMs)
  let published = 0
  for (const { item, step } of pending) {
    // One status that cannot be published must not hold back the others.
    try {
      await publishStatus(ctx.js, item, step)
      await markStepPublished(ctx.db, step.id)
      published++
    } catch (err) {
      ctx.log.warn({ err, itemId: item.id, code: step.code }, 'outbox: status not published yet')
    }
  }
  return published
}
