import { z } from 'zod'
import { Channel, Official, SCOPES, STATUS_CODES, StatusCode } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { getItem, listItems, type ItemRow, type StepRow } from '../domain/item-store.ts'
import { recordStep } from '../domain/record-step.ts'

const StepView = z.object({
  code: z.string(), name: z.string(), channel: z.string(), at: z.string(), note: z.string().nullable(), official: z.unknown()
})
const ItemView = z.object({
  id: z.string(),
  documentId: z.string(),
  sender: z.string(),
  subject: z.string(),
  priority: z.number(),
  state: z.string(),
  stateName: z.string(),
  sentAt: z.string(),
  receivedAt: z.string(),
  updatedAt: z.string()
})
const ItemDetail = ItemView.extend({
  document: z.record(z.string(), z.unknown()),
  recipients: z.array(z.string()),
  steps: z.array(StepView)
})

function itemView (item: ItemRow): z.infer<typeof ItemView> {
  return {
    id: item.id,
    documentId: item.documentId,
    sender: item.sender,
    subject: item.subject,
    priority: item.priority,
    state: item.state,
    stateName: STATUS_CODES[item.state as StatusCode],
    sentAt: item.sentAt.toISOString(),
    receivedAt: item.receivedAt.toISOString(),
    updatedAt: item.updatedAt.toISOString()
  }
}

function stepView (step: StepRow): z.infer<typeof StepView> {
  return { code: step.code, name: STATUS_CODES[step.code as StatusCode], channel: step.channel, at: step.at.toISOString(), note: step.note, official: step.official }
}

export async function inboxRoutes (app: ServiceApp, ctx: InboxContext): Promise<void> {
  app.get('/v1/inbox', {
    onRequest: app.requireScopes(SCOPES.inboxRead),
    schema: {
      tags: ['inbox'],
      summary: "The token agency's inbox, newest first",
      querystring: z.object({
        state: StatusCode.optional(),
        cursor: z.uuid().optional(),
        limit: z.coerce.number().int().min(1).max(500).default(50)
      }),
      response: { 200: z.object({ items: z.array(ItemView), next: z.string().nullable() }) }
    }
  }, async (request) => {
    const page = await listItems(ctx.db, request.agency, request.query)
    return { items: page.items.map(itemView), next: page.next }
  })

  app.get('/v1/inbox/:id', {
    onRequest: app.requireScopes(SCOPES.inboxRead),
    schema: { tags: ['inbox'], summary: 'One item with its document and steps', params: z.object({ id: z.string() }), response: { 200: ItemDetail } }
  }, async (request) => {
    const found = z.uuid().safeParse(request.params.id).success ? await getItem(ctx.db, request.params.id, request.agency) : undefined
    if (found === undefined) throw ctx.fail('ITEM_NOT_FOUND', `no item ${request.params.id} in the inbox of ${request.agency}`)
    return {
      ...itemView(found.item),
      document: found.item.fields as Record<string, unknown>,
      recipients: found.item.recipients,
      steps: found.steps.map(stepView)
    }
  })

  app.post('/v1/inbox/:id/status', {
    onRequest: app.requireScopes(SCOPES.inboxWrite),
    schema: {
      tags: ['inbox'],
      summary: 'Record a step (03 accepted … 06 completed, or 02 refused); the sender is told',
      params: z.object({ id: z.string() }),
      body: z.object({
        code: StatusCode.exclude(['01']),
        channel: Channel.default('online'),
        note: z.string().max(2000).optional(),
        official: Official.optional()
      }),
      response: { 200: ItemView.extend({ step: StepView }) }
    }
  }, async (request) => {
    if (!z.uuid().safeParse(request.params.id).success) {
      throw ctx.fail('ITEM_NOT_FOUND', `no item ${request.params.id} in the inbox of ${request.agency}`)
    }
    const { item, step } = await recordStep(ctx, request.params.id, request.agency, request.body)
    return { ...itemView({ ...item, updatedAt: step.at }), step: stepView(step) }
  })
}
