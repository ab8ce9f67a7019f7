import { z } from 'zod'
import { SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { MailContext } from '../context.ts'
import { queueCounts } from '../domain/outbound-queue.ts'

/** The operator's look at the outbound queue: how much waits, how much went, how much the relay refused. */
export async function outboundRoutes (app: ServiceApp, ctx: MailContext): Promise<void> {
  app.get('/v1/outbound', {
    onRequest: app.requireScopes(SCOPES.inboxAdmin),
    schema: {
      tags: ['outbound'],
      summary: 'Counts of the outbound mail queue',
      response: { 200: z.object({ queued: z.number(), sent: z.number(), failed: z.number(), retrying: z.number() }) }
    }
  }, async () => await queueCounts(ctx.sql))
}
