import type { NatsConnection } from '@nats-io/transport-node'
import { CONSUMERS, RecallMessage, STREAMS, recallSubject } from '@lienthong/contracts'
import { decodeMessage, startConsumer, type RunningConsumer } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { takeRecall } from '../domain/recall.ts'

/**
 * Takes every recall into its recipient's inbox. Acknowledged only after the recall (and, where
 * it takes effect at once, the 15 sent to the sender) is stored; a recall that overtook its
 * delivery is retried with backoff until the delivery is in.
 */
export async function startRecalls (nc: NatsConnection, ctx: InboxContext): Promise<RunningConsumer> {
  return await startConsumer(nc, {
    stream: STREAMS.recalls.name,
    durable: CONSUMERS.inboxRecalls,
    filterSubject: 'recall.>',
    log: ctx.log,
    ackWaitMs: ctx.config.ACK_WAIT_MS,
    handle: async (msg) => {
      const recall = decodeMessage(RecallMessage, msg)
      if (msg.subject !== recallSubject(recall.recipient)) {
        ctx.log.warn({ documentId: recall.documentId, recipient: recall.recipient, subject: msg.subject }, 'recall dropped: not on its recipient\u2019s subject')
        return
      }
      if (await takeRecall(ctx, recall) === 'not_arrived') throw new Error('the recalled document has not arrived in this inbox yet')
    }
  })
}
