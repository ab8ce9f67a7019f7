import type { JetStreamClient } from '@nats-io/jetstream'
import { LISTED_RECIPIENTS_MAX, deliverSubject, deliveryMessageId, type DeliveryMessage, type Envelope, type SignaturePair } from '@lienthong/contracts'
import type { DocumentRow } from './document-store.ts'

/**
 * Publishes one delivery per recipient and waits for JetStream to acknowledge every one. The
 * message id is derived from (document, recipient), so publishing again after a failure or a
 * crash never makes a second copy.
 */
export async function publishDeliveries (js: JetStreamClient, doc: DocumentRow): Promise<void> {
  const sentAt = doc.acceptedAt.toISOString()
  const listed = doc.recipients.length <= LISTED_RECIPIENTS_MAX ? doc.recipients : []
  if (doc.envelope === null || doc.signatures === null) throw new Error(`document ${doc.id} has no signed envelope`)
  const envelope = doc.envelope as Envelope
  const signatures = doc.signatures as SignaturePair
  await Promise.all(doc.recipients.map(async (recipient) => {
    const message: DeliveryMessage = {
      documentId: doc.id,
      recipient,
      recipients: listed,
      recipientCount: doc.recipients.length,
      sentAt,
      envelope,
      signatures
    }
    await js.publish(deliverSubject(recipient, envelope.document.priority), JSON.stringify(message), { msgID: deliveryMessageId(doc.id, recipient), timeout: 5_000 })
  }))
}
