import type { NatsConnection } from '@nats-io/transport-node'
import { CONSUMERS, DeliveryMessage, STREAMS } from '@lienthong/contracts'
import { decodeMessage, startConsumer, type RunningConsumer } from '@lienthong/platform'
import type { MailContext } from '../context.ts'
import { documentMessageId } from '../domain/mail-identity.ts'
import { queueDocumentMail } from '../domain/outbound-queue.ts'

/**
 * Every delivery of the exchange, beside the inbox's own consumers: a delivery to an agency with a
 * mailbox is queued as mail (acknowledged once queued), the rest are acknowledged at once. The
 * inbox stores and answers 01 without waiting on anything here.
 */
export async function startDeliveriesConsumer (nc: NatsConnection, ctx: MailContext, queued: () => void): Promise<RunningConsumer> {
  return await startConsumer(nc, {
    stream: STREAMS.deliveries.name,
    durable: CONSUMERS.mailDeliveries,
    filterSubject: 'deliver.>',
    // added to a running exchange, it mails what arrives from then on, not the stream's history
    startAt: 'new',
    ackWaitMs: ctx.config.ACK_WAIT_MS,
    concurrency: 32,
    log: ctx.log,
    handle: async (msg) => {
      const delivery = decodeMessage(DeliveryMessage, msg)
      const toAddress = ctx.directory.get(delivery.recipient)?.endpoints.mailAddress
      if (toAddress === null || toAddress === undefined) return
      const made = await queueDocumentMail(ctx.sql, {
        delivery,
        toAddress,
        messageId: documentMessageId(delivery.documentId, delivery.recipient, ctx.config.mailDomain)
      })
      if (made) queued()
    }
  })
}
