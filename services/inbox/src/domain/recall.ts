import type { RecallMessage } from '@lienthong/contracts'
import type { InboxContext } from '../context.ts'
import { storeRecall } from './recall-store.ts'
import { sendStep } from './status-publisher.ts'

export type RecallIntake = 'recorded' | 'withdrawn' | 'not_arrived' | 'dropped'

/**
 * Takes a sender's recall into the recipient's inbox. Withdrawn at once where the document was
 * not accepted yet, and the 15 sent to the sender (signed by custody, or when the agency's DMS
 * signs it); otherwise kept for the DMS to answer. `not_arrived`: the delivery has not been
 * stored yet (it was published first and will come), so the caller retries later.
 */
export async function takeRecall (ctx: InboxContext, message: RecallMessage): Promise<RecallIntake> {
  const taken = await storeRecall(ctx.db, ctx.events, message)
  if (taken.kind === 'not_arrived') return 'not_arrived'
  if (taken.kind === 'foreign') {
    // Only the sender of a document recalls it; a message claiming otherwise is not acted on.
    ctx.log.warn({ documentId: message.documentId, recipient: message.recipient, claimed: message.sender, sender: taken.item.sender }, 'recall dropped: not from the document\u2019s sender')
    return 'dropped'
  }
  if (taken.agreed === undefined) return 'recorded'
  // Thrown (signatures service or JetStream down): the message comes back and this continues.
  await sendStep(ctx, taken.item, taken.agreed)
  return 'withdrawn'
}
