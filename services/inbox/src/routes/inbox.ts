import { z } from 'zod'
import { Channel, DetachedSignature, Official, SCOPES, STATUS_CODES, SignatureFinding, StatusCode, type Envelope, type SignatureFindingView, type SignaturePair } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { laterLinks, originalLinks, type OriginalLink } from '../domain/business-links.ts'
import { isOverdue } from '../domain/due-date.ts'
import { listInbox, workFileTimes, type ListedItem, type WorkFileTimes } from '../domain/inbox-query.ts'
import { getItem, type ItemRow } from '../domain/item-store.ts'
import { recordStep, signStep } from '../domain/record-step.ts'
import { InboxListQuery, inboxQueryOf } from './inbox-filters.ts'
import { StepView, stepView } from './step-view.ts'

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
  updatedAt: z.string(),
  /** the sender recalled the document and the recall was agreed (15): the item takes no more steps */
  withdrawn: z.boolean(),
  /** the sender's recall (13), kept beside the work state; `answer` 15 agreed, 16 refused, null still to answer */
  recall: z.object({
    requestedAt: z.string(),
    note: z.string().nullable(),
    answer: z.enum(['15', '16']).nullable(),
    answeredAt: z.string().nullable()
  }).nullable(),
  /** when its work file is due (the document's due date, 23:59:59.999 Viet Nam time, unless the DMS changed it); null when it has none */
  dueAt: z.string().nullable(),
  /** the work file is open and past its due time */
  overdue: z.boolean(),
  /** when the work file was closed: completed (06), refused (02) or withdrawn (15); null while open */
  closedAt: z.string().nullable(),
  /** this document updates (2) or replaces (3) an earlier one; `itemId` is this inbox's item of it, if any */
  original: z.object({
    type: z.union([z.literal(2), z.literal(3)]),
    documentId: z.string(),
    reason: z.string().nullable(),
    itemId: z.string().nullable()
  }).nullable()
})
const LaterLink = z.object({ documentId: z.string(), itemId: z.string() })
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
  steps: z.array(StepView),
  /** the items of this inbox that update or replace this document */
  updates: z.array(LaterLink),
  replacements: z.array(LaterLink)
})

function itemView (item: ListedItem, original: OriginalLink | undefined, file: WorkFileTimes, now = new Date()): z.infer<typeof ItemView> {
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
    updatedAt: item.updatedAt.toISOString(),
    withdrawn: item.recallAnswer === '15',
    recall: item.recallRequestedAt === null
      ? null
      : {
          requestedAt: item.recallRequestedAt.toISOString(),
          note: item.recallNote,
          answer: item.recallAnswer as '15' | '16' | null,
          answeredAt: item.recallAnsweredAt?.toISOString() ?? null
        },
    dueAt: file.dueAt?.toISOString() ?? null,
    overdue: isOverdue(file, now),
    closedAt: file.closedAt?.toISOString() ?? null,
    original: original ?? null
  }
}

/** The item's view; its work file's times as given, or looked up. */
async function itemViewOf (ctx: InboxContext, item: ItemRow, file?: WorkFileTimes): Promise<z.infer<typeof ItemView>> {
  const [links, times] = await Promise.all([originalLinks(ctx.db, item.recipient, [item]), file ?? workFileTimes(ctx.db, item.id)])
  return itemView(item, links.get(item.id), times)
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
      summary: "The token agency's inbox, newest first, narrowed by any of the filters (they combine)",
      description: 'Pages follow `next`: pass it as `cursor` with the same filters. A page is the items older than the cursor, so items arriving meanwhile never shift it (they are on the first page).',
      querystring: InboxListQuery,
      response: { 200: z.object({ items: z.array(ItemView), next: z.string().nullable() }) }
    }
  }, async (request) => {
    const now = new Date()
    const page = await listInbox(ctx.db, request.agency, inboxQueryOf(request.query), now)
    const originals = await originalLinks(ctx.db, request.agency, page.entries.map((e) => e.item))
    return { items: page.entries.map((e) => itemView(e.item, originals.get(e.item.id), e.file, now)), next: page.next }
  })

  app.get('/v1/inbox/:id', {
    onRequest: app.requireScopes(SCOPES.inboxRead),
    schema: { tags: ['inbox'], summary: 'One item with its document and steps', params: z.object({ id: z.string() }), response: { 200: ItemDetail } }
  }, async (request) => {
    const found = z.uuid().safeParse(request.params.id).success ? await getItem(ctx.db, request.params.id, request.agency) : undefined
    if (found === undefined) throw ctx.fail('ITEM_NOT_FOUND', `no item ${request.params.id} in the inbox of ${request.agency}`)
    return {
      ...await itemViewOf(ctx, found.item),
      ...await laterLinks(ctx.db, request.agency, found.item.documentId),
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
      summary: 'Record a step (03 accepted … 06 completed, or 02 refused; 15 or 16 to answer a recall); the sender is told, with the agency\u2019s signed receipt',
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
    const { item, step, file } = await recordStep(ctx, request.params.id, request.agency, request.body)
    return { ...await itemViewOf(ctx, { ...item, updatedAt: step.at }, file), step: stepView(step) }
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
    return { ...await itemViewOf(ctx, item), step: stepView(step) }
  })
}
