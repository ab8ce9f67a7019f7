import type { JetStreamClient } from '@nats-io/jetstream'
import { statusMessageId, statusSubject, type StatusCode, type StatusMessage } from '@lienthong/contracts'
import type { ItemRow, StepRow } from './item-store.ts'

export function statusMessageOf (item: ItemRow, step: StepRow): StatusMessage {
  return {
    documentId: item.documentId,
    sender: item.sender,
    recipient: item.recipient,
    code: step.code as StatusCode,
    channel: step.channel as StatusMessage['channel'],
    at: step.at.toISOString(),
    ...(step.note !== null ? { note: step.note } : {}),
    ...(step.official !== null ? { official: step.official as StatusMessage['official'] } : {})
  }
}

/** Sends a recorded step back to the sender; the message id makes a repeat harmless. */
export async function publishStatus (js: JetStreamClient, item: ItemRow, step: StepRow): Promise<void> {
  await js.publish(statusSubject(item.sender), JSON.stringify(statusMessageOf(item, step)), {
    msgID: statusMessageId(item.documentId, item.recipient, step.code),
    timeout: 5_000
  })
}
