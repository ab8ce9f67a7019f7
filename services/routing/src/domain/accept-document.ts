import { documentId, type SendDocumentRequest, type SendDocumentResponse } from '@lienthong/contracts'
import { jsonDigest } from '@lienthong/crypto'
import type { RoutingContext } from '../context.ts'
import { resolveAddressing } from './addressing.ts'
import { checkOriginal } from './original-link.ts'
import { publishDeliveries } from './deliveries-publisher.ts'
import { signedEnvelope } from './envelope-signing.ts'
import { findDocument, storeDocument, type DocumentRow } from './document-store.ts'

export interface AcceptInput {
  /** the agency of the caller's token */
  agency: string
  idempotencyKey: string | undefined
  body: SendDocumentRequest
}

/**
 * The sender's side of the exchange: check, store, publish a delivery per recipient, and only
 * then answer. A retry with the same key and body gets the first answer and no second delivery.
 */
export async function acceptDocument (ctx: RoutingContext, input: AcceptInput): Promise<SendDocumentResponse> {
  const { body, agency } = input
  const { fail } = ctx
  if (body.from !== undefined && body.from !== agency) {
    throw fail('SENDER_MISMATCH', `the body names ${body.from} as sender but the token is for ${agency}`)
  }
  if (body.document.classification !== undefined) {
    throw fail('CLASSIFIED', 'a classified document must be sent by the classified channel, never through the exchange')
  }
  const id = documentId(agency, body.document)
  const key = input.idempotencyKey ?? id
  // Signatures are left out: a DMS retrying with a fresh signature is still sending the same document.
  const requestDigest = jsonDigest({ from: agency, to: body.to, document: body.document, ...(body.attachments !== undefined && body.attachments.length > 0 ? { attachments: body.attachments } : {}) })
  const probe = { id, sender: agency, idempotencyKey: key, fields: body.document }
  let row: DocumentRow
  try {
    await checkOriginal(ctx, agency, body.document)
    const recipients = resolveAddressing(ctx.directory, agency, body.to, fail, { policy: ctx.config.sendPolicy, recipientsMax: ctx.config.RECIPIENTS_MAX })
    const signed = await signedEnvelope(ctx, agency, body)
    // a repeat meets the stored row here: nothing is written and that row answers
    row = (await storeDocument(ctx.db, ctx.events, { ...probe, requestDigest, recipients, signed })).row
  } catch (err) {
    // A repeat is answered from what was stored, whatever the checks say now (a recipient
    // suspended after the first send must not make its retry fail). Looking for it only when a
    // check fails keeps three lookups off every first send, which is nearly every send.
    const first = await findDocument(ctx.db, probe)
    if (first === undefined) throw err
    row = first
  }
  if (row.requestDigest !== requestDigest) {
    throw row.idempotencyKey === key
      ? fail('IDEMPOTENCY_CONFLICT', `this key was first used for ${row.id} with a different body`)
      : fail('DUPLICATE_DOCUMENT', `${row.id} already has this number and notation this year; a new document needs a new number`)
  }
  if (row.publishedAt === null) {
    try {
      await publishDeliveries(ctx.js, row)
    } catch (err) {
      // Stored but not yet published: the outbox sweeper publishes it, and a retry answers it.
      ctx.log.warn({ err, documentId: row.id }, 'deliveries not acknowledged by JetStream')
      throw fail('UNAVAILABLE', 'the document is stored but not yet queued for delivery; retry with the same Idempotency-Key')
    }
    await ctx.published.call(row.id)
  }
  return { id: row.id, sender: row.sender, recipients: row.recipients, acceptedAt: row.acceptedAt.toISOString() }
}
