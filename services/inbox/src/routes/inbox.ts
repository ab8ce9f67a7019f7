import { z } from 'zod'
import { Channel, DetachedSignature, Official, SCOPES, STATUS_CODES, SignatureFinding, StatusCode, type Envelope, type SignatureFindingView, type SignaturePair } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { getItem, listItems, type ItemRow, type StepRow } from '../domain/item-store.ts'
import { recordStep, signStep } from '../domain/record-step.ts'

const StepView = z.object({
  code: z.string(),
  name: z.string(),
  channel: z.string(),
  at: z.string(),
  note: z.string().nullable(),
  official: z.unknown(),
  /** the receipt the agency signs for this step (its RFC 8785 form is the JWS payload) */
  receipt: z.record(z.string(), z.unknown()).nullable(),
  /** the agency's detached JWS of the receipt; null while the agency's DMS has still to sign it */
  signature: z.string().nullable(),
  /** true until the agency's DMS signs the receipt (POST /v1/inbox/{id}/receipts); the sender is told only then */
  awaitingSignature: z.boolean(),
  sent: z.boolean()
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
  /** who signed the envelope, with which key: as checked on arrival, and as it verifies today */
  /** the envelope exactly as signed (its RFC 8785 form is the JWS payload), to keep as evidence */
  envelope: z.record(z.string(), z.unknown()).nullable(),
  signatures: z.object({
    /** the two detached JWS as the sender made them */
    jws: z.object({ signer: z.string(), agency: z.string() }).nullable(),
    envelopeDigest: z.string().nullable(),
    validOnArrival: z.boolean().nullable(),
    onArrival: z.array(SignatureFinding),
    validToday: z.boolean().nullable(),
    today: z.array(SignatureFinding)
  }),
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
  return {
    code: step.code,
    name: STATUS_CODES[step.code as StatusCode],
    channel: step.channel,
    at: step.at.toISOString(),
    note: step.note,
    official: step.official,
    receipt: step.receipt as Record<string, unknown> | null,
    signature: step.signature,
    awaitingSignature: step.awaitingSignature,
    sent: step.publishedAt !== null
  }
}

function signaturesView (ctx: InboxContext, item: ItemRow): z.infer<typeof ItemDetail>['signatures'] {
  const today = item.envelope === null ? undefined : ctx.signatures.checkEnvelope(item.envelope as Envelope, item.signatures as SignaturePair)
  return {
    jws: item.signatures as SignaturePair | null,
    envelopeDigest: item.envelopeDigest,
    validOnArrival: item.signaturesValid,
    onArrival: (item.signatureFindings as SignatureFindingView[] | null) ?? [],
    validToday: today?.valid ?? null,
    today: today?.findings ?? []
  }
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
      envelope: found.item.envelope as Record<string, unknown> | null,
      signatures: signaturesView(ctx, found.item),
      steps: found.steps.map(stepView)
    }
  })

  app.post('/v1/inbox/:id/status', {
    onRequest: app.requireScopes(SCOPES.inboxWrite),
    schema: {
      tags: ['inbox'],
      summary: 'Record a step (03 accepted … 06 completed, or 02 refused); the sender is told, with the agency\u2019s signed receipt',
      description: 'The receipt is signed by the signatures service for an agency in its custody. A DMS that signs for itself sends `at` (now, an ISO 8601 time with offset, put into the receipt exactly as written) and `signature`, its detached JWS of the receipt built from the item and these fields.',
      params: z.object({ id: z.string() }),
      body: z.object({
        code: StatusCode.exclude(['01']),
        channel: Channel.default('online'),
        note: z.string().max(2000).optional(),
        official: Official.optional(),
        at: z.iso.datetime({ offset: true }).optional(),
        signature: DetachedSignature.optional()
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

  app.post('/v1/inbox/:id/receipts', {
    onRequest: app.requireScopes(SCOPES.inboxWrite),
    schema: {
      tags: ['inbox'],
      summary: 'Sign a step\u2019s receipt with the agency\u2019s own key (e.g. the arrival, 01); the sender is told then',
      params: z.object({ id: z.string() }),
      description: 'Signs the receipt shown in the step as it is, or, with `at` (now, kept as written), the same receipt dated when the DMS acknowledged it.',
      body: z.object({ code: StatusCode, signature: DetachedSignature, at: z.iso.datetime({ offset: true }).optional() }),
      response: { 200: ItemView.extend({ step: StepView }) }
    }
  }, async (request) => {
    if (!z.uuid().safeParse(request.params.id).success) {
      throw ctx.fail('ITEM_NOT_FOUND', `no item ${request.params.id} in the inbox of ${request.agency}`)
    }
    const { item, step } = await signStep(ctx, request.params.id, request.agency, request.body.code, request.body.signature, request.body.at)
    return { ...itemView(item), step: stepView(step) }
  })
}
