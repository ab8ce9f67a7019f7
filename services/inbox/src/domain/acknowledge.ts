import { AppError } from '@lienthong/platform'
import type { Channel } from '@lienthong/contracts'
import type { InboxContext } from '../context.ts'
import { recordStep } from './record-step.ts'

/** One item to acknowledge; `at` and `signature` when the agency's DMS signed the receipt itself. */
export interface Acknowledgement { id: string, at?: string, signature?: string }

/** What every acknowledgement of one request shares. */
export interface AcknowledgementFacts {
  channel: Channel
  note?: string
  official?: { id?: string, name: string }
}

export type AcknowledgeResult =
  | { id: string, ok: true, state: string }
  | { id: string, ok: false, code: string, detail: string }

/**
 * Records 03 (accepted) on each item, as `POST /v1/inbox/{id}/status` would one by one: the steps
 * are asked for all at once, so they are recorded together (recordStep gathers the steps of one
 * turn: one query for the items, one request to the signatures service, one transaction), and
 * each is checked, signed, stored and sent as its own. One item that cannot be accepted (unknown,
 * another agency's, no longer at 01, withdrawn, a bad signature) is answered as such and the
 * others go on. Results come in the order of the request.
 */
export async function acknowledgeMany (ctx: InboxContext, agency: string, list: readonly Acknowledgement[], facts: AcknowledgementFacts): Promise<AcknowledgeResult[]> {
  return await Promise.all(list.map(async (entry) => await acknowledgeOne(ctx, agency, entry, facts)))
}

async function acknowledgeOne (ctx: InboxContext, agency: string, entry: Acknowledgement, facts: AcknowledgementFacts): Promise<AcknowledgeResult> {
  try {
    const { item } = await recordStep(ctx, entry.id, agency, {
      code: '03',
      channel: facts.channel,
      ...(facts.note !== undefined ? { note: facts.note } : {}),
      ...(facts.official !== undefined ? { official: facts.official } : {}),
      ...(entry.signature !== undefined ? { signature: entry.signature, at: entry.at } : {})
    })
    return { id: entry.id, ok: true, state: item.state }
  } catch (err) {
    if (err instanceof AppError) return { id: entry.id, ok: false, code: err.code, detail: err.message }
    ctx.log.error({ err, itemId: entry.id }, 'acknowledging an item failed')
    const internal = ctx.fail('INTERNAL', 'an internal error occurred; it has been logged, and the item can be acknowledged again')
    return { id: entry.id, ok: false, code: internal.code, detail: internal.message }
  }
}
