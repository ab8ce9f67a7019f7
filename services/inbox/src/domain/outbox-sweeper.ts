import type { InboxContext } from '../context.ts'
import { markStepPublished, unpublishedSteps } from './item-store.ts'
import { publishStatus } from './status-publisher.ts'

/** Sends status messages of steps that were stored but never acknowledged by JetStream. */
export async function sweepOutbox (ctx: InboxContext, graceMs: number): Promise<number> {
  const pending = await unpublishedSteps(ctx.db, graceMs)
  for (const { item, step } of pending) {
    await publishStatus(ctx.js, item, step)
    await markStepPublished(ctx.db, step.id)
  }
  return pending.length
}
