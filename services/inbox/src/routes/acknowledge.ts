import { z } from 'zod'
import { Channel, DetachedSignature, Official, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { acknowledgeMany } from '../domain/acknowledge.ts'

const MAX = 500

const Result = z.union([
  z.object({ id: z.string(), ok: z.literal(true), state: z.string() }),
  z.object({ id: z.string(), ok: z.literal(false), code: z.string(), detail: z.string() })
])

const unique = (ids: string[]): boolean => new Set(ids).size === ids.length

const Body = z.object({
  ids: z.array(z.uuid()).min(1).max(MAX).refine(unique, 'each id once').optional()
    .meta({ description: 'the items to accept, for an agency whose receipts the signatures service signs' }),
  items: z.array(z.object({
    id: z.uuid(),
    at: z.iso.datetime({ offset: true }).meta({ description: 'now, as written in the receipt signed' }),
    signature: DetachedSignature.meta({ description: 'the agency\u2019s detached JWS of the 03 receipt of this item, with this `at` and the request\u2019s `channel`, `note` and `official`' })
  })).min(1).max(MAX).refine((list) => unique(list.map((i) => i.id)), 'each id once').optional()
    .meta({ description: 'the items to accept, each with its receipt signed by the agency\u2019s own DMS' }),
  channel: Channel.default('online'),
  note: z.string().max(2000).optional(),
  official: Official.optional()
}).refine((b) => (b.ids === undefined) !== (b.items === undefined), 'give either `ids` or `items`')

export async function acknowledgeRoutes (app: ServiceApp, ctx: InboxContext): Promise<void> {
  app.post('/v1/inbox/acknowledge', {
    onRequest: app.requireScopes(SCOPES.inboxWrite),
    schema: {
      tags: ['inbox'],
      summary: 'Accept (03) up to 500 items at once; each is answered on its own, in the order asked',
      description: [
        'Each item is recorded as `POST /v1/inbox/{id}/status` with `{"code": "03"}` would record it: its receipt signed, the step stored, the sender told.',
        'Send `ids` when the signatures service signs for the agency; send `items` (`id`, `at`, `signature`) when the agency\u2019s DMS signs each receipt itself.',
        '`channel`, `note` and `official` are the same for every item.',
        'The answer is 200 whatever happened to each item: a result is `{id, ok: true, state}`, or `{id, ok: false, code, detail}` with the code the single route would answer',
        '(`INB_ITEM_NOT_FOUND` for an unknown id or another agency\u2019s item, `INB_TRANSITION_NOT_ALLOWED` for an item not at 01, `INB_ITEM_WITHDRAWN`, `INB_SIGNATURE_INVALID`, …); one failure does not stop the others.'
      ].join(' '),
      body: Body,
      response: { 200: z.object({ results: z.array(Result) }) }
    }
  }, async (request) => {
    const { ids, items, channel, note, official } = request.body
    const list = ids?.map((id) => ({ id })) ?? items!
    return { results: await acknowledgeMany(ctx, request.agency, list, { channel, note, official }) }
  })
}
