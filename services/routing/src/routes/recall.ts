import { z } from 'zod'
import { RecallRequest, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { RoutingContext } from '../context.ts'
import { requestRecall } from '../domain/recall.ts'

const RecallAnswer = z.object({
  id: z.string(),
  recalled: z.array(z.object({
    recipient: z.string(),
    requestedAt: z.string(),
    note: z.string().nullable(),
    /** 15 agreed (withdrawn), 16 refused, null while the recipient has not answered */
    answer: z.enum(['15', '16']).nullable(),
    answeredAt: z.string().nullable(),
    /** recalled by an earlier request, which this one repeats */
    repeat: z.boolean()
  })),
  notRecalled: z.array(z.object({ recipient: z.string(), reason: z.enum(['refused', 'not_a_recipient']) }))
})

export async function recallRoutes (app: ServiceApp, ctx: RoutingContext): Promise<void> {
  app.post('/v1/documents/:id/recall', {
    onRequest: app.requireScopes(SCOPES.documentsSend),
    schema: {
      tags: ['documents'],
      summary: 'Recall a sent document (13) from every recipient or from those listed',
      description: 'Where a recipient has not accepted the document yet, the recall takes effect at once and the recipient answers 15 itself; otherwise its DMS answers 15 (withdrawn) or 16 (refused). A recipient is recalled once: repeating the request is safe and answers with the first one.',
      params: z.object({ id: z.string().min(1).max(400) }),
      // No body (Fastify gives null) recalls from every recipient.
      body: RecallRequest.nullish(),
      response: { 202: RecallAnswer }
    }
  }, async (request, reply) => {
    const outcome = await requestRecall(ctx, request.params.id, request.agency, request.body ?? {})
    return await reply.code(202).send(outcome)
  })
}
