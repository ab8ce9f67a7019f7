import { z } from 'zod'
import { AgencyCode, DeadLetterView, SCOPES } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { listDeadLetters, replayDeadLetters } from '../domain/webhook-delivery-store.ts'
import { newWebhookSecret } from '../domain/webhook-signature.ts'
import { findWebhook, registerWebhook, removeWebhook } from '../domain/webhook-store.ts'
import { TargetRefused, type TargetGuard } from '../domain/webhook-target.ts'

export interface WebhookRouteDeps {
  guard: TargetGuard
  /** tells the sender that deliveries are due now */
  wakeSender: () => void
}

const WebhookView = z.object({
  url: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** calls still being tried, and calls given up (an operator can replay those) */
  pending: z.number(),
  dead: z.number()
})


/** An agency's webhook (its own token), and the operator's dead-letter list. */
export async function webhookRoutes (app: ServiceApp, ctx: InboxContext, deps: WebhookRouteDeps): Promise<void> {
  app.put('/v1/inbox/webhook', {
    onRequest: app.requireScopes(SCOPES.inboxWrite),
    schema: {
      tags: ['webhooks'],
      summary: 'Register the agency\u2019s webhook, or replace it (with a new secret)',
      description: 'Every event of the agency from now on is POSTed to the URL, signed as Standard Webhooks says (webhook-id, webhook-timestamp, ' +
        'webhook-signature: v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">), and retried with backoff until it is answered 2xx or the ' +
        'inbox gives up (26 hours by default). The secret is shown in this answer only. The URL must be http(s) and every address of its host ' +
        'public (INB_WEBHOOK_TARGET_REFUSED otherwise). 201 when new, 200 when replaced.',
      body: z.object({ url: z.string().max(2000) }),
      response: {
        200: z.object({ url: z.string(), secret: z.string(), createdAt: z.string(), updatedAt: z.string() }),
        201: z.object({ url: z.string(), secret: z.string(), createdAt: z.string(), updatedAt: z.string() })
      }
    }
  }, async (request, reply) => {
    let url: URL
    try {
      url = await deps.guard.checkUrl(request.body.url)
    } catch (err) {
      if (!(err instanceof TargetRefused)) throw err
      throw ctx.fail('WEBHOOK_TARGET_REFUSED', err.message, err.address !== undefined ? { address: err.address } : {})
    }
    const secret = newWebhookSecret()
    const saved = await registerWebhook(ctx.db, request.agency, url.href, secret)
    request.log.info({ agency: request.agency, created: saved.created }, 'webhook registered')
    return await reply.code(saved.created ? 201 : 200).send({ url: url.href, secret, createdAt: saved.createdAt.toISOString(), updatedAt: saved.updatedAt.toISOString() })
  })

  app.get('/v1/inbox/webhook', {
    onRequest: app.requireScopes(SCOPES.inboxRead),
    schema: { tags: ['webhooks'], summary: 'The agency\u2019s webhook (never its secret) and how many calls are pending or given up', response: { 200: WebhookView } }
  }, async (request) => {
    const found = await findWebhook(ctx.db, request.agency)
    if (found === undefined) throw ctx.fail('WEBHOOK_NOT_FOUND', `${request.agency} has no webhook`)
    return { ...found, createdAt: found.createdAt.toISOString(), updatedAt: found.updatedAt.toISOString() }
  })

  app.delete('/v1/inbox/webhook', {
    onRequest: app.requireScopes(SCOPES.inboxWrite),
    schema: { tags: ['webhooks'], summary: 'Remove the agency\u2019s webhook, and the calls still pending or given up with it', response: { 204: z.null() } }
  }, async (request, reply) => {
    if (!await removeWebhook(ctx.db, request.agency)) throw ctx.fail('WEBHOOK_NOT_FOUND', `${request.agency} has no webhook`)
    request.log.info({ agency: request.agency }, 'webhook removed')
    return await reply.code(204).send(null)
  })

  app.get('/v1/webhooks/dead-letters', {
    onRequest: app.requireScopes(SCOPES.inboxAdmin),
    schema: {
      tags: ['webhooks'],
      summary: 'Webhook calls given up, oldest first (operator)',
      querystring: z.object({
        agency: AgencyCode.optional(),
        cursor: z.coerce.number().int().min(0).optional(),
        limit: z.coerce.number().int().min(1).max(500).default(100)
      }),
      response: { 200: z.object({ items: z.array(DeadLetterView), next: z.string().nullable() }) }
    }
  }, async (request) => {
    const page = await listDeadLetters(ctx.db, request.query)
    return {
      items: page.items.map((d) => ({ ...d, createdAt: d.createdAt.toISOString(), finishedAt: d.finishedAt?.toISOString() ?? null })),
      next: page.next === null ? null : String(page.next)
    }
  })

  app.post('/v1/webhooks/dead-letters/replay', {
    onRequest: app.requireScopes(SCOPES.inboxAdmin),
    schema: {
      tags: ['webhooks'],
      summary: 'Try given-up webhook calls again, as if new (operator)',
      description: 'Names the dead letters by id, by agency, or both (those ids of that agency). Each is tried at once, with a whole give-up period again.',
      body: z.object({ ids: z.array(z.number().int().min(1)).min(1).max(10_000).optional(), agency: AgencyCode.optional() })
        .refine((b) => b.ids !== undefined || b.agency !== undefined, { message: 'give ids, an agency, or both' }),
      response: { 200: z.object({ replayed: z.number() }) }
    }
  }, async (request) => {
    const replayed = await replayDeadLetters(ctx.db, request.body)
    request.log.info({ ...request.body, replayed }, 'dead letters replayed')
    if (replayed > 0) deps.wakeSender()
    return { replayed }
  })
}
