import { CONSUMERS, STREAMS, StatusMessage } from '@lienthong/contracts'
import { decodeMessage, startConsumer, type RunningConsumer } from '@lienthong/platform'
import type { NatsConnection } from '@nats-io/transport-node'
import type { RoutingContext } from '../context.ts'
import { recordStatus } from '../domain/delivery-status.ts'

/** Follows every status message so the sender's view of each recipient stays current. */
export async function startStatusUpdates (nc: NatsConnection, ctx: RoutingContext): Promise<RunningConsumer> {
  return await startConsumer(nc, {
    stream: STREAMS.statuses.name,
    durable: CONSUMERS.routingStatuses,
    filterSubject: 'status.>',
    log: ctx.log,
    ackWaitMs: ctx.config.ACK_WAIT_MS,
    handle: async (msg) => {
      await recordStatus(ctx.db, decodeMessage(StatusMessage, msg))
    }
  })
}

