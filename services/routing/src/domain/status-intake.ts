import { statusSubject, type StatusMessage } from '@lienthong/contracts'
import { TurnBatcher } from '@lienthong/platform'
import type { RoutingContext } from '../context.ts'
import { deliveryDigests, recordStatus, recordStatuses, type DeliveryKey } from './delivery-status.ts'

/** How long a receipt whose key the mirror does not know yet is retried before it is dropped. */
export const KEY_LAG_GRACE_MS = 60_000

export type Intake = 'recorded' | 'dropped' | 'retry'

/** The two database calls of taking a status, apart so that a consumer can batch them. */
export interface StatusIntakeIO {
  deliveryDigest: (key: DeliveryKey) => Promise<string | undefined>
  record: (message: StatusMessage) => Promise<void>
}

export function directStatusIO (db: RoutingContext['db']): StatusIntakeIO {
  return {
    deliveryDigest: async (key) => (await deliveryDigests(db, [key]))[0],
    record: async (message) => { await recordStatus(db, message) }
  }
}

/**
 * The same calls, those made in one turn of the event loop gathered into one statement each:
 * a province broadcast brings back 1,744 arrivals (01) at once.
 */
export function batchedStatusIO (db: RoutingContext['db']): StatusIntakeIO {
  const digests = new TurnBatcher<DeliveryKey, string | undefined>(async (keys) => await deliveryDigests(db, keys))
  const records = new TurnBatcher<StatusMessage, undefined>(async (messages) => { await recordStatuses(db, messages); return messages.map(() => undefined) })
  return {
    deliveryDigest: async (key) => await digests.call(key),
    record: async (message) => { await records.call(message) }
  }
}

/**
 * Takes a status message into the sender's view only if it is what it claims: a receipt on the
 * sender's own subject, for a delivery routing made, for the envelope it sent, signed by the
 * recipient agency. Anything else is dropped (the bus is not a place to forge an "06 completed"
 * from); a receipt signed with a key the mirror has not seen yet is retried for a while first.
 */
export async function takeStatus (ctx: RoutingContext, subject: string, message: StatusMessage, now = Date.now(), io = directStatusIO(ctx.db)): Promise<Intake> {
  const { receipt } = message
  const facts = { documentId: receipt.documentId, recipient: receipt.recipient, code: receipt.code }
  if (subject !== statusSubject(receipt.sender)) {
    ctx.log.warn({ ...facts, subject }, 'status dropped: not on its sender\u2019s subject')
    return 'dropped'
  }
  const digest = await io.deliveryDigest({ documentId: receipt.documentId, recipient: receipt.recipient, sender: receipt.sender })
  if (digest === undefined || digest !== receipt.envelopeDigest) {
    ctx.log.warn(facts, 'status dropped: no such delivery of this envelope')
    return 'dropped'
  }
  const finding = ctx.signatures.checkReceipt(receipt, message.signature)
  if (!finding.valid) {
    if (finding.reason === 'unknown_key' && now - Date.parse(receipt.at) < KEY_LAG_GRACE_MS) return 'retry'
    ctx.log.warn({ ...facts, reason: finding.reason, kid: finding.kid }, 'status dropped: its receipt is not validly signed by the recipient')
    return 'dropped'
  }
  await io.record(message)
  return 'recorded'
}
