import { CONSUMERS, STREAMS, StatusMessage } from '@lienthong/contracts'
import { decodeMessage, startConsumer, type RunningConsumer } from '@lienthong/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { RoutingContext } from '../context.ts'
import { batchedStatusIO, takeStatus } from '../domain/status-intake.ts'

/** Follows every status message so the sender's view of each recipient stays current. */
export async function startStatusUpdates (nc: NatsConnection, ctx: RoutingContext): Promise<RunningConsumer> {
  const io = batchedStatusIO(ctx.db)
  return await startConsumer(nc, {
    stream: STREAMS.statuses.name,
    durable: CONSUMERS.routingStatuses,
    filterSubject: 'status.>',
    log: ctx.log,
    ackWaitMs: ctx.config.ACK_WAIT_MS,
    // Many in hand make the batches large: a broadcast's 1,744 arrivals come back together.
    concurrency: 128,
    handle: async (msg) => {
      const outcome = await takeStatus(ctx, msg.subject, decodeMessage(StatusMessage, msg), Date.now(), io)
      // Thrown, the message comes back with a backoff: the recipient's key may reach the mirror by then.
      if (outcome === 'retry') throw new Error('the receipt\u2019s key is not in the mirror yet')
    }
  })
}
