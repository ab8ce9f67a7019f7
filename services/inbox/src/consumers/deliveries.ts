import type { NatsConnection } from '@nats-io/transport-node'
import { CONSUMERS, DELIVERY_LANES, DeliveryMessage, STREAMS, deliverLaneSubject, inboxLaneConsumer } from '@lienthong/contracts'
import { PoisonMessage, TurnBatcher, decodeMessage, startPriorityConsumer, type RunningConsumer } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { storeArrivals, type Arrival } from '../domain/item-store.ts'
import { ArrivalReceipts } from '../domain/arrival-receipts.ts'

/**
 * Handler slots shared by the lanes. A slot mostly waits (for the batch's transaction, the
 * custody signature, JetStream's ack), so many of them make the batches large and the round trips
 * few; each lane also holds this many fetched, so a message never waits here near its ack wait.
 */
const DELIVERY_SLOTS = 128

/** How long a delivery signed with a key the mirror does not know yet is retried. */
const KEY_LAG_GRACE_MS = 60_000

/**
 * Takes every delivery into its recipient's inbox exactly once, with the result of checking its
 * signatures again, and answers the sender with a signed 01 (arrived). The message is
 * acknowledged only after both, so a crash in between redelivers it, and the unique key and the
 * status message id turn the second pass into a no-op.
 *
 * One consumer per lane, strict priority between them: under a backlog of normal deliveries a
 * hỏa tốc one waits only for a handler slot to free. The single consumer of the older layout
 * (`inbox-deliveries` on `deliver.>`) is removed, or it would keep every message of an upgraded
 * stream pending for ever.
 */
export async function startDeliveries (nc: NatsConnection, ctx: InboxContext): Promise<RunningConsumer> {
  // Deliveries handled at the same moment share one transaction: each is still acknowledged only
  // after the transaction holding it committed.
  const arrivals = new TurnBatcher<Parameters<typeof storeArrivals>[2][number], Arrival>(async (batch) => await storeArrivals(ctx.db, ctx.events, batch))
  const receipts = new ArrivalReceipts(ctx)
  return await startPriorityConsumer(nc, {
    stream: STREAMS.deliveries.name,
    lanes: DELIVERY_LANES.map((lane) => ({ durable: inboxLaneConsumer(lane), filterSubject: deliverLaneSubject(lane) })),
    retire: [CONSUMERS.inboxDeliveries],
    concurrency: DELIVERY_SLOTS,
    log: ctx.log,
    ackWaitMs: ctx.config.ACK_WAIT_MS,
    handle: async (msg) => {
      const delivery = decodeMessage(DeliveryMessage, msg)
      if (delivery.envelope.id !== delivery.documentId) {
        throw new PoisonMessage(`delivery of ${delivery.documentId} carries the envelope of ${delivery.envelope.id}`)
      }
      // Checked again here, not taken on routing's word: what the recipient keeps is its own finding.
      const check = ctx.signatures.checkEnvelope(delivery.envelope, delivery.signatures)
      // Routing accepted it a moment ago: a key this copy's mirror has not seen yet is lag, not a
      // verdict to keep for ever. Retried (with backoff) for a while before it is stored as found.
      if (!check.valid && check.findings.some((f) => f.reason === 'unknown_key') && Date.now() - Date.parse(delivery.sentAt) < KEY_LAG_GRACE_MS) {
        throw new Error('a signing key is not in this copy\u2019s mirror yet')
      }
      if (!check.valid) ctx.log.warn({ documentId: delivery.documentId, recipient: delivery.recipient, findings: check.findings }, 'delivery arrived with signatures that do not verify')
      const { item, step } = await arrivals.call({ delivery, check })
      await receipts.send(item, step)
    }
  })
}
