import { z } from 'zod'
import { DetachedSignature, Envelope, Receipt, SignatureFinding, SignaturePair } from '@lienthong/contracts'
import type { ServiceApp } from '@lienthong/platform'
import type { SignaturesContext } from '../context.ts'


const EnvelopeQuestion = z.object({ envelope: Envelope, signatures: SignaturePair }).strict()
const ReceiptQuestion = z.object({ receipt: Receipt, signature: DetachedSignature }).strict()

/**
 * Verification for anyone holding a token: a DMS checking an envelope it received or a receipt
 * it keeps, an auditor checking evidence. The same checks routing and inbox make, against the keys
 * the registry publishes and the configured trust anchors, as of now.
 */
export async function verificationRoutes (app: ServiceApp, ctx: SignaturesContext): Promise<void> {
  // The schema checks the shape, but parsing drops unknown members and fills defaults: what is
  // verified must be the JSON exactly as received, or an unsigned member would ride along unseen.
  const received = new WeakMap<object, unknown>()
  app.post('/v1/signatures/verify', {
    onRequest: app.requireScopes(),
    preValidation: async (request) => { received.set(request, structuredClone(request.body)) },
    schema: {
      tags: ['verification'],
      summary: 'Check an envelope\u2019s two signatures, or a receipt\u2019s signature, as of now',
      description: 'Body `{envelope, signatures: {signer, agency}}` or `{receipt, signature}`. The answer says, per signature, who signed with which key and whether it verifies, with a stable `reason` when not.',
      body: z.union([EnvelopeQuestion, ReceiptQuestion]),
      response: {
        200: z.object({
          valid: z.boolean(),
          /** SHA-256 of the canonical envelope or receipt */
          digest: z.string().optional(),
          findings: z.array(SignatureFinding)
        })
      }
    }
  }, async (request) => {
    const body = request.body
    const raw = received.get(request) as typeof body
    if ('envelope' in body && 'envelope' in raw) {
      const check = ctx.signatureChecker.checkEnvelope(raw.envelope, body.signatures)
      return { valid: check.valid, digest: check.digest, findings: check.findings }
    }
    if ('receipt' in body && 'receipt' in raw) {
      const finding = ctx.signatureChecker.checkReceipt(raw.receipt, body.signature)
      return { valid: finding.valid, findings: [finding] }
    }
    throw new Error('the body changed shape between parsing and validation')
  })
}
