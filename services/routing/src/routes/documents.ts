import { z } from 'zod'
import { SCOPES, SendDocumentRequest, SendDocumentResponse } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { RoutingContext } from '../context.ts'
import { acceptDocument } from '../domain/accept-document.ts'
import { businessLinks, documentWithDeliveries } from '../domain/delivery-status.ts'

const DocumentView = z.object({
  id: z.string(),
  sender: z.string(),
  document: z.record(z.string(), z.unknown()),
  acceptedAt: z.string(),
  queued: z.boolean(),
  /** the document this one updates (type 2) or replaces (type 3) */
  original: z.object({ id: z.string(), type: z.union([z.literal(2), z.literal(3)]) }).nullable(),
  /** the sender's later documents that update or replace this one */
  updates: z.array(z.string()),
  replacements: z.array(z.string()),
  recipients: z.array(z.object({
    recipient: z.string(),
    status: z.string(),
    statusName: z.string(),
    at: z.string().nullable(),
    history: z.array(z.object({ code: z.string(), name: z.string(), channel: z.string(), at: z.string(), note: z.string().nullable() })),
    recall: z.object({
      requestedAt: z.string(),
      note: z.string().nullable(),
      /** the recall message is in JetStream (otherwise the outbox will send it) */
      sent: z.boolean(),
      answer: z.enum(['15', '16']).nullable(),
      answeredAt: z.string().nullable()
    }).nullable()
  }))
})

export async function documentRoutes (app: ServiceApp, ctx: RoutingContext): Promise<void> {
  app.post('/v1/documents', {
    onRequest: app.requireScopes(SCOPES.documentsSend),
    schema: {
      tags: ['documents'],
      summary: 'Send a document to agencies (a list or a group)',
      headers: z.object({ 'idempotency-key': z.string().min(1).max(200).optional() }),
      body: SendDocumentRequest,
      response: { 202: SendDocumentResponse }
    }
  }, async (request, reply) => {
    const answer = await ctx.admission.admit(ctx.fail, async () => await acceptDocument(ctx, {
      agency: request.agency,
      idempotencyKey: request.headers['idempotency-key'],
      body: request.body
    }))
    return await reply.code(202).header('location', `/v1/documents/${encodeURIComponent(answer.id)}`).send(answer)
  })

  app.get('/v1/documents/:id', {
    onRequest: app.requireScopes(SCOPES.documentsRead),
    schema: {
      tags: ['documents'],
      summary: 'A sent document and the status of each recipient',
      params: z.object({ id: z.string().min(1).max(400) }),
      response: { 200: DocumentView }
    }
  }, async (request) => {
    const found = await documentWithDeliveries(ctx.db, request.params.id, request.agency)
    if (found === undefined) throw ctx.fail('DOCUMENT_NOT_FOUND', `no document ${request.params.id} sent by ${request.agency}`)
    return {
      id: found.doc.id,
      sender: found.doc.sender,
      document: found.doc.fields as Record<string, unknown>,
      acceptedAt: found.doc.acceptedAt.toISOString(),
      queued: found.doc.publishedAt !== null,
      ...await businessLinks(ctx.db, found.doc),
      recipients: found.deliveries
    }
  })
}
