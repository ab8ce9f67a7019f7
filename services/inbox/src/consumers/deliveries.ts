import type { NatsConnection } from '@nats-io/transport-node'
import { CONSUMERS, DeliveryMessage, STREAMS } from '@lienthong/contracts'
import { decodeMessage, startConsumer, type RunningConsumer } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { markStepPublished, storeArrival } from '../domain/item-store.ts'
import { publishStatus } from '../domain/status-publisher.ts'

/**
 * Takes every delivery into its recipient's inbox exactly once and answers the sender with 01
 * (arrived). The message is acknowledged only after both, so a crash in between redelivers it,
 * and the unique key and the status message id turn the second pass into a no-op.
 */
export async function startDeliveries (nc: NatsConnection, ctx: InboxContext): Promise<RunningConsumer> {
  return await startConsumer(nc, {
    stream: STREAMS.deliveries.name,
    durable: CONSUMERS.inboxDeliveries,
    filterSubject: 'deliver.>',
    log: ctx.log,
    ackWaitMs: ctx.config.ACK_WAIT_MS,
    handle: async (msg) => {
      const delivery = decodeMessage(DeliveryMessage, msg)
      const { item, step } = await storeArrival(ctx.db, delivery)
      if (step.publishedAt === null) {
        await publishStatus(ctx.js, item, step)
        await markStepPublished(ctx.db, step.id)
      }
    }
  })
}
