import { z } from 'zod'
import { SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { inboxCounts } from '../domain/inbox-counts.ts'
import { WORK_STATES } from '../domain/inbox-query.ts'

const Counts = z.object({
  /** every item of the inbox */
  total: z.number().int().meta({ description: 'every item of the inbox' }),
  byState: z.object(Object.fromEntries(WORK_STATES.map((s) => [s, z.number().int()])) as Record<(typeof WORK_STATES)[number], z.ZodNumber>)
    .meta({ description: 'items in each work state, 01 arrived … 06 completed (0 where there is none); a withdrawn item keeps the state it had' }),
  overdue: z.number().int().meta({ description: 'work files of items that are open and past their due time' }),
  withdrawn: z.number().int().meta({ description: 'items the sender recalled, the recall agreed (15)' })
})

export async function inboxCountRoutes (app: ServiceApp, ctx: InboxContext): Promise<void> {
  app.get('/v1/inbox/counts', {
    onRequest: app.requireScopes(SCOPES.inboxRead),
    schema: {
      tags: ['inbox'],
      summary: "The token agency's inbox in numbers: in total, per state, overdue, withdrawn",
      description: 'Exact counts, each read from an index. The per-state counts read one index entry per item, so they take a few milliseconds for an inbox of 100,000 items.',
      response: { 200: Counts }
    }
  }, async (request) => await inboxCounts(ctx.db, request.agency))
}
