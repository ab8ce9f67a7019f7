import type { JetStreamClient } from '@nats-io/jetstream'
import { statusMessageId, statusSubject, type Receipt, type StatusMessage } from '@lienthong/contracts'
import type { InboxContext } from '../context.ts'
import { markAwaitingSignature, markStepsPublished, saveSignature, type ItemRow, type StepRow } from './item-store.ts'
import { custodyReceiptSignature } from './receipts.ts'

/** Sends a signed step back to the sender; the message id makes a repeat harmless. */
export async function publishStatus (js: JetStreamClient, item: ItemRow, step: StepRow): Promise<void> {
  if (step.receipt === null || step.signature === null) throw new Error(`step ${step.id} has no signed receipt`)
  const message: StatusMessage = { receipt: step.receipt as Receipt, signature: step.signature }
  await js.publish(statusSubject(item.sender), JSON.stringify(message), {
    msgID: statusMessageId(item.documentId, item.recipient, step.code),
    timeout: 5_000
  })
}

/**
 * Takes a recorded step as far as it can go: has its receipt signed by the signatures service
 * when the agency is in its custody (or marks it as waiting for the agency's own DMS), then
 * sends it. Every stage is stored before the next, so calling it again after any failure
 * continues where it stopped. Throws when the signatures service or JetStream cannot be reached.
 */
export async function sendStep (ctx: InboxContext, item: ItemRow, step: StepRow, writes: StepWrites = stepWrites(ctx)): Promise<'sent' | 'awaiting_signature'> {
  if (step.publishedAt !== null) return 'sent'
  let signed = step
  if (signed.signature === null) {
    if (signed.awaitingSignature) return 'awaiting_signature'
    const signature = await custodyReceiptSignature(ctx, step.receipt as Receipt)
    if (signature === undefined) {
      await writes.markAwaitingSignature(step.id)
      return 'awaiting_signature'
    }
    await writes.saveSignature(step.id, signature)
    signed = { ...step, signature }
  }
  await publishStatus(ctx.js, item, signed)
  await writes.markPublished(step.id)
  return 'sent'
}

/** The writes of sendStep, apart so that a broadcast's arrivals can make them in batches. */
export interface StepWrites {
  /** the agency signs for itself: the step waits for its DMS */
  markAwaitingSignature: (stepId: number) => Promise<void>
  /** keeps the signature unless the step already has one */
  saveSignature: (stepId: number, signature: string) => Promise<void>
  markPublished: (stepId: number) => Promise<void>
}

export function stepWrites (ctx: InboxContext): StepWrites {
  return {
    markAwaitingSignature: async (stepId) => { await markAwaitingSignature(ctx.db, stepId) },
    saveSignature: async (stepId, signature) => { await saveSignature(ctx.db, stepId, signature) },
    markPublished: async (stepId) => { await markStepsPublished(ctx.db, ctx.events, [stepId]) }
  }
}
