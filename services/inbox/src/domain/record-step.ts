import type { Channel, InboxEvent, Receipt, StatusCode } from '@lienthong/contracts'
import { CustodyUnavailableError, TurnBatcher, type SignatureFinding } from '@lienthong/platform'
import type { InboxContext } from '../context.ts'
import { appendStep, findItem, findStep, lockItem, markStepsPublished, redateReceipt, saveSignature, type ItemRow, type StepRow } from './item-store.ts'
import { custodyReceiptSignature, receiptOf } from './receipts.ts'
import { sendStep, stepWrites } from './status-publisher.ts'
import { appendRecallAnswer } from './recall-store.ts'
import { RECALL_ANSWERS, nextSteps } from './status-transitions.ts'
import { advanceWorkFile, stepEvent, type WorkFileRow } from './work-file-store.ts'

export interface StepInput {
  code: StatusCode
  channel: Channel
  note?: string
  official?: { id?: string, name: string }
  /** with `signature`: the step's time as the DMS signed it in the receipt */
  at?: string
  /** the agency's detached JWS of the step's receipt, when its DMS signs for itself */
  signature?: string
}

/**
 * Records a step on an item of the agency's inbox and sends it to the sender as a signed status
 * message. The receipt is signed before anything is stored (by the DMS in the request, or by the
 * signatures service for an agency in its custody), so a step that cannot be signed is not
 * recorded at all. The step is committed before it is sent; if JetStream does not acknowledge
 * the message, the outbox sweeper sends it later, so the answer never claims less than was stored.
 */
export async function recordStep (ctx: InboxContext, itemId: string, agency: string, input: StepInput): Promise<{ item: ItemRow, step: StepRow, file: WorkFileRow }> {
  const current = await findItem(ctx.db, itemId, agency)
  // Another agency's item answers exactly as a missing one, so ids reveal nothing.
  if (current === undefined) throw ctx.fail('ITEM_NOT_FOUND', `no item ${itemId} in the inbox of ${agency}`)
  checkTransition(ctx, current, input.code)

  // A DMS's `at` goes into the receipt as it wrote it: it signed that text, in whatever ISO form.
  const at = input.signature === undefined ? new Date() : signedTime(ctx, input.at)
  const receipt = receiptOf(current, { ...input, at })
  const signature = input.signature === undefined
    ? await custodySignature(ctx, receipt)
    : checkedSignature(ctx, receipt, input.signature)

  let recorded: InboxEvent[] = []
  const { item, step, file } = await ctx.db.transaction(async (tx) => {
    const item = await lockItem(tx, itemId, agency)
    if (item === undefined) throw ctx.fail('ITEM_NOT_FOUND', `no item ${itemId} in the inbox of ${agency}`)
    // Checked again under the lock: another step may have been recorded while this one was signed.
    checkTransition(ctx, item, input.code)
    // An answer to a recall sits beside the work state, so a refusal (16) resumes the work where it was.
    // The work file moves with the step's facts, sent along with the step's own statements rather
    // than after them: one wait for the database instead of two.
    const [done, file] = await Promise.all([
      RECALL_ANSWERS.includes(input.code)
        ? appendRecallAnswer(tx, item, receipt, signature)
        : appendStep(tx, item, receipt, signature).then((step) => ({ item: { ...item, state: input.code }, step })),
      advanceWorkFile(tx, item.id, { code: receipt.code, channel: receipt.channel, at: new Date(receipt.at) })
    ])
    recorded = await ctx.events.record(tx, [stepEvent(file, done.step, item)])
    return { ...done, file }
  })
  ctx.events.publish(recorded)
  return { item, step: await trySend(ctx, item, step), file }
}

/**
 * The DMS signs a step's receipt after the fact: the arrival (01) of an agency that signs for
 * itself waits for this before its status message goes to the sender.
 */
export async function signStep (ctx: InboxContext, itemId: string, agency: string, code: StatusCode, signature: string, at?: string): Promise<{ item: ItemRow, step: StepRow }> {
  const item = await findItem(ctx.db, itemId, agency)
  if (item === undefined) throw ctx.fail('ITEM_NOT_FOUND', `no item ${itemId} in the inbox of ${agency}`)
  const step = await findStep(ctx.db, itemId, code)
  if (step === undefined) throw ctx.fail('STEP_NOT_FOUND', `item ${itemId} has no step ${code}`)
  if (step.signature !== null) throw ctx.fail('RECEIPT_ALREADY_SIGNED', `the receipt of step ${code} is already signed`)
  // With `at`, the receipt says when the DMS acknowledged it (its key may be newer than the arrival).
  const receipt = at === undefined ? step.receipt as Receipt : { ...(step.receipt as Receipt), at: signedTime(ctx, at) }
  checkedSignature(ctx, receipt, signature)
  if (at !== undefined) await redateReceipt(ctx.db, step.id, receipt)
  const saved = await saveSignature(ctx.db, step.id, signature)
  if (saved === undefined) throw ctx.fail('RECEIPT_ALREADY_SIGNED', `the receipt of step ${code} is already signed`)
  return { item, step: await trySend(ctx, item, saved) }
}

/**
 * Marks steps JetStream acknowledged, those of one turn of the event loop in one transaction. The
 * answer does not wait for the mark: the step is stored and signed, and JetStream has its status
 * message; a mark lost to a crash only lets the sweeper send the message again, which JetStream
 * takes once (its id).
 */
const publishedMarks = new WeakMap<InboxContext, TurnBatcher<number, undefined>>()

function markPublishedSoon (ctx: InboxContext, stepId: number): void {
  let marks = publishedMarks.get(ctx)
  if (marks === undefined) {
    marks = new TurnBatcher(async (ids) => { await markStepsPublished(ctx.db, ctx.events, ids); return ids.map(() => undefined) })
    publishedMarks.set(ctx, marks)
  }
  marks.call(stepId).catch((err: unknown) => { ctx.log.warn({ err, stepId }, 'step sent but not yet marked; the outbox will send it again') })
}

/** Sends the step now if JetStream takes it; otherwise the outbox sweeper will, and the answer says it is not sent yet. */
async function trySend (ctx: InboxContext, item: ItemRow, step: StepRow): Promise<StepRow> {
  try {
    const writes = { ...stepWrites(ctx), markPublished: async (stepId: number) => { markPublishedSoon(ctx, stepId) } }
    if (await sendStep(ctx, item, step, writes) === 'sent') return { ...step, publishedAt: new Date() }
  } catch (err) {
    ctx.log.warn({ err, itemId: item.id, code: step.code }, 'status message not yet acknowledged; the outbox will send it')
  }
  return step
}

function checkTransition (ctx: InboxContext, item: ItemRow, code: StatusCode): void {
  const next = nextSteps(item)
  if (next.withdrawn) {
    throw ctx.fail('ITEM_WITHDRAWN', `the sender recalled ${item.documentId} and the recall was agreed (15)`, { state: item.state, recall: '15' })
  }
  const { allowed } = next
  if (!allowed.includes(code)) {
    const where = item.recallRequestedAt !== null && item.recallAnswer === null ? `the item is at ${item.state} with a recall (13) to answer` : `the item is at ${item.state}`
    throw ctx.fail('TRANSITION_NOT_ALLOWED', `${where}; allowed next: ${allowed.length > 0 ? allowed.join(', ') : 'none'}`, { state: item.state, allowed })
  }
}

function signedTime (ctx: InboxContext, at: string | undefined): string {
  if (at === undefined) throw ctx.fail('SIGNATURE_INVALID', 'a signed step gives `at`, the time written in the receipt it signed', { reason: 'malformed' })
  const time = new Date(at)
  if (Math.abs(Date.now() - time.getTime()) > ctx.config.SIGNATURE_SKEW_MS) {
    throw ctx.fail('SIGNATURE_INVALID', `the receipt is dated ${at}; a step is signed when it is recorded`, { reason: 'stale' })
  }
  return at
}

function checkedSignature (ctx: InboxContext, receipt: Receipt, signature: string): string {
  const finding = ctx.signatures.checkReceipt(receipt, signature)
  if (!finding.valid) throw ctx.fail('SIGNATURE_INVALID', `${finding.reason ?? 'invalid'}: ${finding.detail ?? ''}`, findingFacts(finding))
  return signature
}

function findingFacts (f: SignatureFinding): Record<string, unknown> {
  return { reason: f.reason, kid: f.kid }
}

async function custodySignature (ctx: InboxContext, receipt: Receipt): Promise<string> {
  let signature: string | undefined
  try {
    signature = await custodyReceiptSignature(ctx, receipt)
  } catch (err) {
    if (!(err instanceof CustodyUnavailableError)) throw err
    ctx.log.warn({ err }, 'custody signing unavailable')
    throw ctx.fail('UNAVAILABLE', 'the signatures service cannot sign the receipt right now; nothing was recorded, retry')
  }
  if (signature === undefined) {
    throw ctx.fail('SIGNATURE_REQUIRED', `the signatures service holds no keys of ${receipt.recipient}: sign the step's receipt with the agency's key and send it with \`at\` and \`signature\``)
  }
  return signature
}
