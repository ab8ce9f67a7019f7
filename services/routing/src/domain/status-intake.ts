import { and, eq } from 'drizzle-orm'
import { statusSubject, type StatusMessage } from '@lienthong/contracts'
import type { RoutingContext } from '../context.ts'
import { deliveries, documents } from '../db/schema.ts'
import { recordStatus } from './delivery-status.ts'

/** How long a receipt whose key the mirror does not know yet is retried before it is dropped. */
export const KEY_LAG_GRACE_MS = 60_000

export type Intake = 'recorded' | 'dropped' | 'retry'

/**
 * Takes a status message into the sender's view only if it is what it claims: a receipt on the
 * sender's own subject, for a delivery routing made, for the envelope it sent, signed by the
 * recipient agency. Anything else is dropped (the bus is not a place to forge an "06 completed"
 * from); a receipt signed with a key the mirror has not seen yet is retried for a while first.
 */
export async function takeStatus (ctx: RoutingContext, subject: string, message: StatusMessage, now = Date.now()): Promise<Intake> {
  const { receipt } = message
  const facts = { documentId: receipt.documentId, recipient: receipt.recipient, code: receipt.code }
  if (subject !== statusSubject(receipt.sender)) {
    ctx.log.warn({ ...facts, subject }, 'status dropped: not on its sender\u2019s subject')
    return 'dropped'
  }
  const [row] = await ctx.db.select({ digest: documents.envelopeDigest }).from(deliveries)
    .innerJoin(documents, eq(documents.id, deliveries.documentId))
    .where(and(eq(deliveries.documentId, receipt.documentId), eq(deliveries.recipient, receipt.recipient), eq(documents.sender, receipt.sender)))
  if (row === undefined || row.digest !== receipt.envelopeDigest) {
    ctx.log.warn(facts, 'status dropped: no such delivery of this envelope')
    return 'dropped'
  }
  const finding = ctx.signatures.checkReceipt(receipt, message.signature)
  if (!finding.valid) {
    if (finding.reason === 'unknown_key' && now - Date.parse(receipt.at) < KEY_LAG_GRACE_MS) return 'retry'
    ctx.log.warn({ ...facts, reason: finding.reason, kid: finding.kid }, 'status dropped: its receipt is not validly signed by the recipient')
    return 'dropped'
  }
  await recordStatus(ctx.db, message)
  return 'recorded'
}
