import type { InboxContext } from '../context.ts'
import { unpublishedSteps } from './item-store.ts'
import { sendStep } from './status-publisher.ts'

/** Signs (by custody) and sends the steps that were stored but never acknowledged by JetStream. */
export async function sweepOutbox (ctx: InboxContext, graceMs: number): Promise<number> {
  const pending = await unpublishedSteps(ctx.db, graceMs)
  let published = 0
  for (const { item, step } of pending) {
    // One status that cannot be sent must not hold back the others.
    try {
      if (await sendStep(ctx, item, step) === 'sent') published++
    } catch (err) {
      ctx.log.warn({ err, itemId: item.id, code: step.code }, 'outbox: status not sent yet')
    }
  }
  return published
}
