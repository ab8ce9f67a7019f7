import type { Channel, StatusCode } from '@lienthong/contracts'
import type { InboxContext } from '../context.ts'
import { appendStep, lockItem, markStepPublished, type ItemRow, type StepRow } from './item-store.ts'
import { publishStatus } from './status-publisher.ts'
import { allowedNext } from './status-transitions.ts'

export interface StepInput {
  code: StatusCode
  channel: Channel
  note?: string
  official?: { id?: string, name: string }
}

/**
 * Records a step on an item of the agency's inbox and sends it to the sender as a status message.
 * The step is committed first; if JetStream does not acknowledge the message, the outbox sweeper
 * sends it later, so the answer never claims less than what was stored.
 */
export async function recordStep (ctx: InboxContext, itemId: string, agency: string, input: StepInput): Promise<{ item: ItemRow, step: StepRow }> {
  const { item, step } = await ctx.db.transaction(async (tx) => {
    const item = await lockItem(tx, itemId, agency)
    // Another agency's item answers exactly as a missing one, so ids reveal nothing.
    if (item === undefined) throw ctx.fail('ITEM_NOT_FOUND', `no item ${itemId} in the inbox of ${agency}`)
    const allowed = allowedNext(item.state as StatusCode)
    if (!allowed.includes(input.code)) {
      throw ctx.fail('TRANSITION_NOT_ALLOWED', `the item is at ${item.state}; allowed next: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`, { state: item.state, allowed })
    }
    const step = await appendStep(tx, item, input)
    return { item: { ...item, state: input.code }, step }
  })
  try {
    await publishStatus(ctx.js, item, step)
    await markStepPublished(ctx.db, step.id)
  } catch (err) {
    ctx.log.warn({ err, itemId, code: input.code }, 'status message not yet acknowledged; the outbox will send it')
  }
  return { item, step }
}
