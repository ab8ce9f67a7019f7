import type { Channel, Receipt, StatusCode } from '@lienthong/contracts'
import type { InboxContext } from '../context.ts'
import type { ItemRow } from './item-store.ts'

export interface StepFacts {
  code: StatusCode
  channel: Channel
  /** the step's time; a string is kept exactly as given (a DMS signed that very text) */
  at: Date | string
  note?: string | null
  official?: { id?: string, name: string } | null
}

/** The receipt of a step of an item: what the recipient agency signs and the sender keeps. */
export function receiptOf (item: ItemRow, step: StepFacts): Receipt {
  if (item.envelopeDigest === null) throw new Error(`item ${item.id} has no envelope digest`)
  return {
    type: 'lienthong.receipt',
    v: 1,
    documentId: item.documentId,
    envelopeDigest: item.envelopeDigest,
    sender: item.sender,
    recipient: item.recipient,
    code: step.code,
    channel: step.channel,
    at: typeof step.at === 'string' ? step.at : step.at.toISOString(),
    ...(step.note !== undefined && step.note !== null ? { note: step.note } : {}),
    ...(step.official !== undefined && step.official !== null ? { official: step.official } : {})
  }
}

/**
 * The agency's signature of a receipt by the signatures service, or `undefined` when the service
 * holds no keys of the agency (its own DMS must sign). Throws `CustodyUnavailableError` when the
 * service cannot be asked.
 */
export async function custodyReceiptSignature (ctx: InboxContext, receipt: Receipt): Promise<string | undefined> {
  const result = await ctx.custody.sign({ kind: 'receipt', agency: receipt.recipient, value: receipt })
  if (result.ok) {
    if (result.signatures.agency === undefined) throw new Error('the signatures service answered a receipt without the agency signature')
    return result.signatures.agency
  }
  if (result.refusal === 'not_in_custody' || result.refusal === 'agency_inactive') return undefined
  throw new Error(`the signatures service refused a receipt: ${result.refusal} (${result.detail})`)
}
