import type { NatsConnection } from '@nats-io/transport-node'
import { z } from 'zod'
import { AgencyCode, CONSUMERS, STREAMS, eventSubject } from '@lienthong/contracts'
import { TurnBatcher, decodeMessage, startConsumer, type RunningConsumer } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { enqueueDeliveries, type QueuedEvent } from '../domain/webhook-delivery-store.ts'

/**
 * Only what a delivery needs of an event is checked: an event type this version does not know
 * yet (written by a newer copy) is pushed as it is, not held back.
 */
const PushedEvent = z.looseObject({ id: z.uuid(), agency: AgencyCode, type: z.string() })

/**
 * Turns the inbox's events into webhook deliveries: one row per event of an agency that has a
 * webhook (stored once however often JetStream delivers the event), then the sender is woken.
 * Events of other agencies are simply acknowledged, so an agency that registers a webhook gets the
 * events from then on, not the ones before.
 */
export async function startWebhookEvents (nc: NatsConnection, ctx: InboxContext, wakeSender: () => void): Promise<RunningConsumer> {
  // The events in hand at once are looked up and stored in one statement; each is still acked only after it.
  const queue = new TurnBatcher<QueuedEvent, boolean>(async (batch) => await enqueueDeliveries(ctx.db, batch))
  return await startConsumer(nc, {
    stream: STREAMS.events.name,
    durable: CONSUMERS.inboxWebhooks,
    filterSubject: 'events.>',
    log: ctx.log,
    ackWaitMs: ctx.config.ACK_WAIT_MS,
    handle: async (msg) => {
      if (!msg.subject.endsWith('.inbox')) return
      const event = decodeMessage(PushedEvent, msg)
      if (msg.subject !== eventSubject(event.agency, 'inbox')) {
        ctx.log.warn({ eventId: event.id, agency: event.agency, subject: msg.subject }, 'event not pushed: not on its agency\u2019s subject')
        return
      }
      if (await queue.call({ agency: event.agency, eventId: event.id, eventSeq: msg.seq, body: event })) wakeSender()
    }
  })
}
