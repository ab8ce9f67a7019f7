import { z } from 'zod'
import { AgencyCode, Receipt, SCOPES, STATUS_CODES, SignatureFinding, type Envelope, type SignaturePair } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { RoutingContext } from '../context.ts'
import { receiptsOf, senderDocument } from '../domain/delivery-status.ts'

const ReceiptView = z.object({
  recipient: z.string(),
  code: z.string(),
  name: z.string(),
  /** the receipt exactly as signed: its RFC 8785 form is the JWS payload */
  receipt: Receipt,
  signature: z.string(),
  /** checked now, against the recipient's keys as the registry has them today */
  verification: SignatureFinding,
  /** whether the receipt names this document's envelope, as the sender signed it */
  matchesEnvelope: z.boolean()
})

/** The sender's proofs: the envelope it signed, and each recipient's signed receipts. */
export async function receiptRoutes (app: ServiceApp, ctx: RoutingContext): Promise<void> {
  app.get('/v1/documents/:id/receipts', {
    onRequest: app.requireScopes(SCOPES.documentsRead),
    schema: {
      tags: ['documents'],
      summary: 'Each recipient\u2019s signed receipts of a sent document, verified now',
      description: 'Every status message (01 arrived … 06 completed, 02 refused, 15/16) is signed by the recipient agency. Each receipt is given as signed, with its detached JWS, so the sender can keep and verify it independently with the keys published by the registry.',
      params: z.object({ id: z.string().min(1).max(400) }),
      querystring: z.object({ recipient: AgencyCode.optional() }),
      response: {
        200: z.object({
          id: z.string(),
          envelopeDigest: z.string().nullable(),
          envelope: z.record(z.string(), z.unknown()).nullable(),
          signatures: z.array(SignatureFinding),
          receipts: z.array(ReceiptView)
        })
      }
    }
  }, async (request) => {
    const doc = await senderDocument(ctx.db, request.params.id, request.agency)
    if (doc === undefined) throw ctx.fail('DOCUMENT_NOT_FOUND', `no document ${request.params.id} sent by ${request.agency}`)
    const envelope = doc.envelope as Envelope | null
    const signatures = envelope === null ? [] : ctx.signatures.checkEnvelope(envelope, doc.signatures as SignaturePair).findings
    const receipts = await receiptsOf(ctx.db, doc.id, request.query.recipient)
    return {
      id: doc.id,
      envelopeDigest: doc.envelopeDigest,
      envelope: envelope as Record<string, unknown> | null,
      signatures,
      receipts: receipts.map((r) => ({
        recipient: r.recipient,
        code: r.code,
        name: STATUS_CODES[r.code],
        receipt: r.receipt,
        signature: r.signature,
        verification: ctx.signatures.checkReceipt(r.receipt, r.signature),
        matchesEnvelope: doc.envelopeDigest !== null && r.receipt.envelopeDigest === doc.envelopeDigest
      }))
    }
  })
}
