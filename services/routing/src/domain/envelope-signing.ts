import { buildEnvelope, type Envelope, type SendDocumentRequest, type SignaturePair } from '@lienthong/contracts'
import { CustodyUnavailableError } from '@lienthong/platform'
import type { RoutingContext } from '../context.ts'
import { checkAttachments } from './attachment-check.ts'

export interface SignedEnvelope {
  envelope: Envelope
  signatures: SignaturePair
  digest: string
  /** `dms` when the sender's system signed, `custody` when the signatures service signed for it */
  signedBy: 'dms' | 'custody'
}

/**
 * The envelope of a new document with its two signatures, checked. A DMS that signs for itself
 * sends them; otherwise the signatures service signs for the sender if it holds its keys. Either
 * way the signatures are verified here like any other, so a custody key revoked a moment ago
 * signs nothing that gets through.
 */
export async function signedEnvelope (ctx: RoutingContext, sender: string, body: SendDocumentRequest, now = new Date()): Promise<SignedEnvelope> {
  const { fail } = ctx
  const given = body.signatures
  // The envelope names only files the store holds as named: the signatures then cover their bytes.
  await checkAttachments(ctx, body.attachments)
  const envelope = buildEnvelope({ sender, to: body.to, document: body.document, attachments: body.attachments, signedAt: given?.signedAt ?? now.toISOString() })
  let signatures: SignaturePair
  let signedBy: SignedEnvelope['signedBy']
  if (given !== undefined) {
    signatures = { signer: given.signer, agency: given.agency }
    signedBy = 'dms'
  } else {
    signatures = await custodySignatures(ctx, sender, envelope)
    signedBy = 'custody'
  }
  const check = ctx.signatures.checkEnvelope(envelope, signatures, {
    now, maxAgeMs: ctx.config.SIGNATURE_MAX_AGE_MS, skewMs: ctx.config.SIGNATURE_SKEW_MS
  })
  if (!check.valid) {
    const bad = check.findings.filter((f) => !f.valid)
    throw fail('SIGNATURE_INVALID', bad.map((f) => `${f.role}: ${f.reason ?? 'invalid'} (${f.detail ?? ''})`).join('; '), {
      signatures: check.findings.map(({ role, kid, valid, reason }) => ({ role, kid, valid, ...(reason !== undefined ? { reason } : {}) }))
    })
  }
  return { envelope, signatures, digest: check.digest, signedBy }
}

async function custodySignatures (ctx: RoutingContext, sender: string, envelope: Envelope): Promise<SignaturePair> {
  let result
  try {
    result = await ctx.custody.sign({ kind: 'envelope', agency: sender, value: envelope })
  } catch (err) {
    if (!(err instanceof CustodyUnavailableError)) throw err
    ctx.log.warn({ err }, 'custody signing unavailable')
    throw ctx.fail('UNAVAILABLE', 'the signatures service cannot sign for the sender right now; nothing was stored, retry')
  }
  if (result.ok) {
    const { signer, agency } = result.signatures
    if (signer !== undefined && agency !== undefined) return { signer, agency }
    throw new Error('the signatures service answered an envelope without both signatures')
  }
  switch (result.refusal) {
    case 'not_in_custody':
      throw ctx.fail('SIGNATURE_REQUIRED', `the request carries no signatures and the signatures service holds no registered keys of ${sender}: sign the envelope with keys registered for ${sender}, or enrol it in custody`)
    case 'agency_inactive':
      throw ctx.fail('SENDER_INACTIVE', `the sending agency ${sender} is not an active agency of the directory`)
    default:
      throw new Error(`the signatures service refused to sign: ${result.refusal} (${result.detail})`)
  }
}
