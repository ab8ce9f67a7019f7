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
  app.post('/v1/signatures/verify', {
    onRequest: app.requireScopes(),
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
    if ('envelope' in body) {
      const check = ctx.signatureChecker.checkEnvelope(body.envelope, body.signatures)
      return { valid: check.valid, digest: check.digest, findings: check.findings }
    }
    const finding = ctx.signatureChecker.checkReceipt(body.receipt, body.signature)
    return { valid: finding.valid, findings: [finding] }
  })
}
